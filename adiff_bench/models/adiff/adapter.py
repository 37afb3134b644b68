"""``adiff`` and ``naive-baseline`` as harness models (the ``Model`` protocol).

Model args (``--model-args k=v,...``):
  checkpoint      path to an ADIFF checkpoint; default: ``adiff_base.ckpt`` from ``adiff-bench models fetch adiff``.
                  ``random:SEED`` builds RANDOM weights (no trained model: for tests and plumbing checks only).
  config          ADIFF config JSON (golden-fixture layout); default: the full-size released architecture.
  tokenizer       folder with GPT-2 vocab.json + merges.txt; default: the offline Hugging Face cache ('gpt2').
  max_new_tokens  greedy decoding limit; default: the config's ``generation.max_new_tokens`` (full size: 300,
                  as the official code).
  device, dtype   'cpu' / 'cuda[:N]'; 'float32', or 'bfloat16' / 'float16' on cuda (the audio front end stays float32).
  threads         torch CPU threads.
  decode_batch_size  pairs the network runs together (default 32): each ``generate`` call (the run's
                  ``--batch-size`` pairs) is split into chunks of this many for the encoder and the decoder, and
                  ``encode_clips`` runs twice this many clips per HTSAT pass. Formerly ``batch_size``, which is now
                  refused with a message naming the new name (it was easily confused with the run's --batch-size).

Per-clip reuse: ``encode_clips`` runs HTSAT, the audio projection and both prefix mappers (everything before
the prompt enters);
``generate`` uses ``Request.encoding1/encoding2`` when the harness attached them, so a run encodes each distinct
clip once (``adiff_bench.audio.encodings``). Token ids are the same either way (tests/adiff/test_clip_reuse.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from adiff_bench.errors import DataError, ModelError
from adiff_bench.extras import check
from adiff_bench.models.adiff.config import AdiffConfig, load_config, naive_baseline_config
from adiff_bench.models.base import ModelNeeds, Request

DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float16": "float16",
    "fp16": "float16",
}
ADAPTER_VERSION = "1"


def default_checkpoint() -> Path:
    from adiff_bench.paths import cache_dir

    return cache_dir() / "models" / "adiff_base.ckpt"


def fit_clip(audio: np.ndarray, n: int, where: str) -> np.ndarray:
    """Mono float32 of exactly ``n`` samples; shorter clips are tiled as the official loader does."""
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim != 1 or x.size == 0:
        raise DataError(f"{where}: expected a non-empty mono array, got shape {x.shape}")
    if x.size > n:
        raise DataError(f"{where}: {x.size} samples is longer than the model's {n}; crop it in the audio pipeline")
    if x.size < n:
        x = np.tile(x, int(np.ceil(n / x.size)))[:n]
    return x


class AdiffModel:
    """ADIFF (ICLR 2025): HTSAT + prefix mappers + cross-projection + GPT-2, greedy decoding."""

    name = "adiff"
    needs = ModelNeeds(needs_audio=True, sample_rate=32000, max_seconds=10.0, short_clip="tile")

    def __init__(
        self,
        checkpoint: str | None = None,
        config: str | None = None,
        tokenizer: str | None = None,
        max_new_tokens: int | None = None,
        device: str = "cpu",
        dtype: str = "float32",
        threads: int | None = None,
        decode_batch_size: int = 32,
        batch_size: int | None = None,
    ) -> None:
        if batch_size is not None:
            raise ModelError(
                f"{self.name}: model arg batch_size was renamed decode_batch_size (pairs the network runs together); "
                "the run's --batch-size sets pairs per model call"
            )
        check("torch", "transformers", extra="adiff")
        self.config = self._variant(load_config(config))
        self.checkpoint = str(checkpoint) if checkpoint else self._default_checkpoint()
        if not self.checkpoint.startswith("random:") and not Path(self.checkpoint).is_file():
            raise ModelError(
                f"{self.name}: checkpoint {self.checkpoint} not found; run `adiff-bench models fetch adiff` "
                "or pass --model-args checkpoint=PATH"
            )
        if max_new_tokens is None:
            max_new_tokens = int(self.config.max_new_tokens)
        if max_new_tokens < 1:
            raise ModelError(f"{self.name}: max_new_tokens must be >= 1 (got {max_new_tokens})")
        if decode_batch_size < 1:
            raise ModelError(f"{self.name}: decode_batch_size must be >= 1 (got {decode_batch_size})")
        if dtype not in DTYPES:
            raise ModelError(f"{self.name}: dtype={dtype!r}; choose float32, bfloat16 or float16")
        self.dtype_name = DTYPES[dtype]
        if self.dtype_name != "float32" and not device.startswith("cuda"):
            raise ModelError(f"{self.name}: dtype={dtype} is only supported with device=cuda; use float32 on {device}")
        self.tokenizer_path = tokenizer
        self.max_new_tokens = max_new_tokens
        self.device_name = device
        self.threads = threads
        self.decode_batch_size = decode_batch_size
        self._net: Any = None
        self._tokenizer: Any = None
        self._fingerprint: str | None = None

    # --- variant hooks -------------------------------------------------------------------------------------
    def _variant(self, cfg: AdiffConfig) -> AdiffConfig:
        return cfg

    def _default_checkpoint(self) -> str:
        return str(default_checkpoint())

    # --- lazy state ----------------------------------------------------------------------------------------
    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            from adiff_bench.models.adiff.tokenizer import load_tokenizer

            self._tokenizer = load_tokenizer(self.tokenizer_path, self.config.text.pad_token)
        return self._tokenizer

    @property
    def network(self) -> Any:
        """The ``AdiffNet`` (built and loaded on first use)."""
        if self._net is None:
            import torch

            from adiff_bench.models.adiff.checkpoint import build_model

            if self.threads:
                torch.set_num_threads(self.threads)
            if self.device_name.startswith("cuda") and not torch.cuda.is_available():
                raise ModelError(f"{self.name}: device={self.device_name} but CUDA is not available here; use cpu")
            net = build_model(self.config, self.checkpoint)
            net = net.to(device=self.device_name, dtype=getattr(torch, self.dtype_name))
            htsat = net.audio_encoder.base.htsat
            htsat.spectrogram_extractor.float()  # the front end stays float32 (dB of tiny powers)
            htsat.logmel_extractor.float()
            self._net = net.eval()
        return self._net

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            if self.checkpoint.startswith("random:"):
                weights = self.checkpoint
            else:
                from adiff_bench.models.adiff.checkpoint import file_sha256

                weights = file_sha256(self.checkpoint)
            parts = {
                "model": self.name,
                "adapter": ADAPTER_VERSION,
                "weights": weights,
                "config": self.config.to_json(),
                "max_new_tokens": self.max_new_tokens,
                "dtype": self.dtype_name,
            }
            blob = json.dumps(parts, sort_keys=True).encode()
            self._fingerprint = hashlib.sha256(blob).hexdigest()[:16]
        return self._fingerprint

    # --- inference -----------------------------------------------------------------------------------------
    def _waves(self, requests: Sequence[Request]) -> tuple[Any, Any]:
        import torch

        n = self.config.htsat.clip_samples
        w1, w2 = [], []
        for r in requests:
            for which, audio, out in (("audio1", r.audio1, w1), ("audio2", r.audio2, w2)):
                if audio is None:
                    raise DataError(f"item {r.item_id}: {which} was not loaded; {self.name} needs both clips' audio")
                out.append(fit_clip(audio, n, f"item {r.item_id} {which}"))
        device = self.device_name
        return torch.from_numpy(np.stack(w1)).to(device), torch.from_numpy(np.stack(w2)).to(device)

    def prefixes(self, requests: Sequence[Request]) -> Any:
        """GPT-2 prefix embeddings (B, P, n_embd) for a batch; exposed for probes and benchmarks."""
        import torch

        from adiff_bench.models.adiff.tokenizer import encode_prompts

        ids = encode_prompts(self.tokenizer, [r.prompt for r in requests], self.config.text)
        prompt_ids = torch.tensor(ids, dtype=torch.long, device=self.device_name)
        if all(r.encoding1 is not None and r.encoding2 is not None for r in requests):
            part1 = torch.stack([r.encoding1[0] for r in requests]).to(self.device_name)
            part2 = torch.stack([r.encoding2[1] for r in requests]).to(self.device_name)
            with torch.inference_mode():
                return self.network.caption_decoder.join(part1, part2, prompt_ids)["prefix"]
        wave1, wave2 = self._waves(requests)
        with torch.inference_mode():
            return self.network.encode_pair(wave1, wave2, prompt_ids)["prefix"]

    def encode_clips(self, waveforms: Sequence[np.ndarray]) -> list[Any]:
        """Everything before the prompt enters, per clip: HTSAT, audio projection, normalisation and both prefix
        mappers, as a (2, prefix_length, n_embd) tensor: [0] the clip's prefix part as audio 1, [1] as audio 2.

        Clips are tiled like the official loader and run ``2 * decode_batch_size`` per pass, the clip count of one
        ``encode_pair`` pass over a chunk of pairs.
        """
        import torch

        n = self.config.htsat.clip_samples
        step = 2 * self.decode_batch_size
        out: list[Any] = []
        for start in range(0, len(waveforms), step):
            chunk = [fit_clip(w, n, f"clip {start + i}") for i, w in enumerate(waveforms[start : start + step])]
            wave = torch.from_numpy(np.stack(chunk)).to(self.device_name)
            with torch.inference_mode():
                projected = self.network.audio_encoder(wave)["projected"]
                decoder = self.network.caption_decoder
                both = torch.stack([decoder.audio_prefix(projected, 1), decoder.audio_prefix(projected, 2)], dim=1)
            out.extend(both.unbind(0))
        return out

    def generate_ids(self, requests: Sequence[Request], stop_token: str | None = None) -> list[Any]:
        """``Generation`` (token ids incl. the stop id, stopped flag) per request, batched."""
        from adiff_bench.models.adiff.decode import greedy_decode
        from adiff_bench.models.adiff.tokenizer import stop_token_id

        stop = stop_token_id(self.tokenizer, stop_token if stop_token is not None else self.config.text.stop_token)
        out: list[Any] = []
        for start in range(0, len(requests), self.decode_batch_size):
            chunk = requests[start : start + self.decode_batch_size]
            prefix = self.prefixes(chunk)
            out.extend(greedy_decode(self.network.caption_decoder.gpt, prefix, self.max_new_tokens, stop))
        return out

    def generate(self, requests: Sequence[Request]) -> list[str]:
        """Text per request, the stop token stripped (an immediate stop gives '')."""
        from adiff_bench.models.adiff.tokenizer import decode

        return [decode(self.tokenizer, g.without_stop()) for g in self.generate_ids(requests)]


class NaiveBaselineModel(AdiffModel):
    """Naive prefix-tuning baseline: same modules without the separator and the cross-projection.

    No trained checkpoint is published; pass ``checkpoint=PATH`` to your own, or ``random:SEED``.
    """

    name = "naive-baseline"

    def _variant(self, cfg: AdiffConfig) -> AdiffConfig:
        return naive_baseline_config(cfg)

    def _default_checkpoint(self) -> str:
        raise ModelError(
            "naive-baseline: no public checkpoint exists; pass --model-args checkpoint=PATH (trained by you) "
            "or checkpoint=random:SEED for random weights"
        )
