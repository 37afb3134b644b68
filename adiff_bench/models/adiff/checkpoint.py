"""Reading an ADIFF checkpoint into ``AdiffNet`` strictly, and building random-weight models for tests.

The official checkpoint is a plain ``state_dict`` (possibly saved from ``DataParallel``: keys start with
``module.``). It was saved with transformers 4.28, whose GPT-2 layers stored ``attn.bias`` (causal mask) and
``attn.masked_bias`` buffers; current transformers has neither, so exactly those keys are dropped.
Any other missing or unexpected key is an error.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

import torch

from adiff_bench.errors import ModelError
from adiff_bench.models.adiff.config import AdiffConfig
from adiff_bench.models.adiff.model import AdiffNet

LEGACY_GPT2_BUFFER = re.compile(r"^caption_decoder\.gpt\.transformer\.h\.\d+\.attn\.(bias|masked_bias)$")
WRAPPER_KEYS = ("state_dict", "model", "model_state_dict")
RANDOM_PREFIX = "random:"


def unwrap_state_dict(obj: object, where: str) -> dict[str, torch.Tensor]:
    """Accept a state dict, or a dict holding one under a usual key; strip ``module.``."""
    if isinstance(obj, Mapping) and not any(isinstance(v, torch.Tensor) for v in obj.values()):
        for key in WRAPPER_KEYS:
            if isinstance(obj.get(key), Mapping):
                return unwrap_state_dict(obj[key], where)
        raise ModelError(
            f"{where}: no state dict found (top-level keys: {', '.join(map(str, list(obj)[:8]))}); "
            "expected tensors or a dict under 'state_dict' / 'model'"
        )
    if not isinstance(obj, Mapping):
        raise ModelError(f"{where}: expected a state dict, found {type(obj).__name__}")
    out: dict[str, torch.Tensor] = {}
    for key, value in obj.items():
        if not isinstance(value, torch.Tensor):
            continue
        name = key[len("module.") :] if key.startswith("module.") else key
        out[name] = value
    return out


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"checkpoint {path} not found; run `adiff-bench models fetch adiff` or pass checkpoint=PATH")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for corrupt/unsafe files
        raise ModelError(f"{path}: cannot be read as a PyTorch checkpoint ({type(exc).__name__}: {exc})") from exc
    return unwrap_state_dict(obj, str(path))


def drop_legacy_buffers(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v for k, v in state.items() if not LEGACY_GPT2_BUFFER.match(k)}


def _listing(keys: list[str], limit: int = 8) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" (+{len(keys) - limit} more)" if len(keys) > limit else "")


def load_weights(model: AdiffNet, state: Mapping[str, torch.Tensor], where: str = "checkpoint") -> None:
    """Strict load after dropping the legacy GPT-2 buffers; mismatches name the keys."""
    state = drop_legacy_buffers(state)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} key(s): {_listing(missing)}")
        if unexpected:
            parts.append(f"unexpected {len(unexpected)} key(s): {_listing(unexpected)}")
        raise ModelError(
            f"{where}: does not match the configured architecture ({'; '.join(parts)}); check config= matches it"
        )
    wrong = [k for k in expected if tuple(expected[k].shape) != tuple(state[k].shape)]
    if wrong:
        k = wrong[0]
        raise ModelError(
            f"{where}: {len(wrong)} tensor(s) have the wrong shape, e.g. {k} is {tuple(state[k].shape)} "
            f"but the config gives {tuple(expected[k].shape)}; check config= matches the checkpoint"
        )
    model.load_state_dict(state, strict=True)


@torch.no_grad()
def random_init(model: AdiffNet, seed: int) -> None:
    """Deterministic random weights (NOT a trained model): for tests, benchmarks and plumbing checks."""
    gen = torch.Generator().manual_seed(seed)
    for name, param in model.named_parameters():
        if name.endswith("melW") or ".stft." in name:
            continue
        if param.dim() >= 2:
            fan_in = param[0].numel()
            param.copy_(torch.randn(param.shape, generator=gen) / fan_in**0.5)
        elif name.endswith("weight"):
            param.copy_(1.0 + 0.1 * torch.randn(param.shape, generator=gen))
        else:
            param.copy_(0.02 * torch.randn(param.shape, generator=gen))
    model.caption_decoder.wte.weight.mul_(0.5 * model.cfg.gpt2.n_embd**0.5)  # token embeddings std 0.5
    bn = model.audio_encoder.base.htsat.bn0
    bn.running_mean.fill_(-30.0)
    bn.running_var.fill_(400.0)
    model.audio_encoder.base.htsat.init_frozen_filters()


def build_model(cfg: AdiffConfig, checkpoint: str, attn_implementation: str = "sdpa") -> AdiffNet:
    """``checkpoint`` is a file path, or ``random:SEED`` for a clearly-random model."""
    if checkpoint.startswith(RANDOM_PREFIX):
        try:
            seed = int(checkpoint[len(RANDOM_PREFIX) :])
        except ValueError as exc:
            raise ModelError(f"checkpoint={checkpoint!r}: write random:SEED with an integer seed") from exc
        model = AdiffNet(cfg, attn_implementation)
        random_init(model, seed)
    else:
        state = read_state_dict(checkpoint)
        model = AdiffNet(cfg, attn_implementation)
        load_weights(model, state, checkpoint)
    return model.eval()


@functools.lru_cache(maxsize=32)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """Streamed sha256, remembered per (path, size, mtime) for the life of the process."""
    st = os.stat(path)
    return _sha256_cached(str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
