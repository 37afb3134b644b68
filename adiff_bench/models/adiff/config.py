"""ADIFF architecture settings: full-size defaults (the released ``adiff_base.ckpt``) and a JSON loader.

The JSON layout is the one of the golden fixture's ``config.json`` (sections ``htsat``, ``audio_projection``,
``gpt2``, ``decoder``, ``data``, ``text``, ``generation``); unknown keys are ignored so that file loads as is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from adiff_bench.errors import ModelError


@dataclass(frozen=True)
class HtsatConfig:
    sample_rate: int = 32000
    clip_samples: int = 320000
    n_fft: int = 1024
    hop_size: int = 320
    mel_bins: int = 64
    fmin: float = 50.0
    fmax: float = 14000.0
    amin: float = 1e-10
    ref: float = 1.0
    spec_size: int = 256
    freq_ratio: int = 4
    patch_size: int = 4
    patch_stride: tuple[int, int] = (4, 4)
    in_chans: int = 1
    embed_dim: int = 96
    depths: tuple[int, ...] = (2, 2, 6, 2)
    num_heads: tuple[int, ...] = (4, 8, 16, 32)
    window_size: int = 8
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    num_classes: int = 527
    layer_norm_eps: float = 1e-5

    @property
    def num_features(self) -> int:
        return self.embed_dim * 2 ** (len(self.depths) - 1)


@dataclass(frozen=True)
class Gpt2Config:
    vocab_size: int = 50257
    n_positions: int = 1024
    n_embd: int = 768
    n_layer: int = 12
    n_head: int = 12
    layer_norm_epsilon: float = 1e-5
    activation_function: str = "gelu_new"


@dataclass(frozen=True)
class DecoderConfig:
    prefix_length: int = 40
    prefix_length_clip: int = 40
    mapper_layers: int = 4
    mapper_heads: int = 8
    mapper_mlp_ratio: float = 2.0
    cross_layers: int = 4
    cross_heads: int = 4
    mapper_layer_norm_eps: float = 1e-5
    normalize_prefix: bool = True
    sep_token_id: int = 50256
    # The naive baseline switches these off: prefixes are concatenated without SEP and fed to GPT-2 directly.
    use_separator: bool = True
    use_cross_project: bool = True


@dataclass(frozen=True)
class TextConfig:
    ip_text_len: int = 40
    prompt_suffix: str = " <|endoftext|>"
    pad_token: str = "!"
    stop_token: str = " <|endoftext|>"


@dataclass(frozen=True)
class AdiffConfig:
    htsat: HtsatConfig = field(default_factory=HtsatConfig)
    d_proj: int = 1024
    gpt2: Gpt2Config = field(default_factory=Gpt2Config)
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    text: TextConfig = field(default_factory=TextConfig)
    max_new_tokens: int = 300

    @property
    def total_prefix_length(self) -> int:
        d = self.decoder
        return 3 * d.prefix_length + (1 if d.use_separator else 0)

    def to_json(self) -> dict[str, Any]:
        """The fixture layout, so ``load_config(write(to_json()))`` round-trips."""
        h, g, d, t = self.htsat, self.gpt2, self.decoder, self.text
        return {
            "htsat": {
                "sample_rate": h.sample_rate,
                "clip_samples": h.clip_samples,
                "n_fft_window_size": h.n_fft,
                "hop_size": h.hop_size,
                "mel_bins": h.mel_bins,
                "fmin": h.fmin,
                "fmax": h.fmax,
                "log_mel": {"ref": h.ref, "amin": h.amin},
                "spec_size": h.spec_size,
                "freq_ratio": h.freq_ratio,
                "patch_size": h.patch_size,
                "patch_stride": list(h.patch_stride),
                "in_chans": h.in_chans,
                "embed_dim": h.embed_dim,
                "depths": list(h.depths),
                "num_heads": list(h.num_heads),
                "window_size": h.window_size,
                "mlp_ratio": h.mlp_ratio,
                "qkv_bias": h.qkv_bias,
                "num_classes": h.num_classes,
                "layer_norm_eps": h.layer_norm_eps,
            },
            "audio_projection": {"d_in": h.num_features, "d_out": self.d_proj},
            "gpt2": {
                "vocab_size": g.vocab_size,
                "n_positions": g.n_positions,
                "n_embd": g.n_embd,
                "n_layer": g.n_layer,
                "n_head": g.n_head,
                "layer_norm_epsilon": g.layer_norm_epsilon,
                "activation_function": g.activation_function,
            },
            "decoder": {
                "prefix_length": d.prefix_length,
                "prefix_length_clip": d.prefix_length_clip,
                "normalize_prefix": d.normalize_prefix,
                "sep_token_id": d.sep_token_id,
                "use_separator": d.use_separator,
                "use_cross_project": d.use_cross_project,
                "mapper_layer_norm_eps": d.mapper_layer_norm_eps,
                "audio_mapper": {
                    "layers": d.mapper_layers,
                    "num_heads": d.mapper_heads,
                    "mlp_hidden": int(g.n_embd * d.mapper_mlp_ratio),
                },
                "cross_project": {
                    "layers": d.cross_layers,
                    "num_heads": d.cross_heads,
                    "mlp_hidden": int(g.n_embd * d.mapper_mlp_ratio),
                },
            },
            "data": {"ip_text_len": t.ip_text_len},
            "text": {"prompt_suffix": t.prompt_suffix, "pad_token": t.pad_token},
            "generation": {"max_new_tokens": self.max_new_tokens, "stop_token": t.stop_token},
        }


def naive_baseline_config(base: AdiffConfig | None = None) -> AdiffConfig:
    """The prefix-tuning baseline: same modules, no separator, no cross-projection."""
    base = base or AdiffConfig()
    return replace(base, decoder=replace(base.decoder, use_separator=False, use_cross_project=False))


def _pick(section: dict[str, Any], cls: type, names: dict[str, str], where: str) -> Any:
    """Build ``cls`` from ``section`` keys (``names``: json key → field), defaults for absent keys."""
    kwargs: dict[str, Any] = {}
    for key, attr in names.items():
        if key in section:
            value = section[key]
            kwargs[attr] = tuple(value) if isinstance(value, list) else value
    try:
        return cls(**kwargs)
    except TypeError as exc:  # pragma: no cover - names are fixed above
        raise ModelError(f"{where}: {exc}") from exc


def config_from_json(data: dict[str, Any], where: str = "config") -> AdiffConfig:
    if not isinstance(data, dict):
        raise ModelError(f"{where}: expected a JSON object with sections htsat/gpt2/decoder/...")
    h = data.get("htsat", {})
    log_mel = h.get("log_mel", {}) if isinstance(h.get("log_mel"), dict) else {}
    htsat = _pick(
        {**h, **{f"log_mel.{k}": v for k, v in log_mel.items()}},
        HtsatConfig,
        {
            "sample_rate": "sample_rate",
            "clip_samples": "clip_samples",
            "n_fft_window_size": "n_fft",
            "hop_size": "hop_size",
            "mel_bins": "mel_bins",
            "fmin": "fmin",
            "fmax": "fmax",
            "log_mel.amin": "amin",
            "log_mel.ref": "ref",
            "spec_size": "spec_size",
            "freq_ratio": "freq_ratio",
            "patch_size": "patch_size",
            "patch_stride": "patch_stride",
            "in_chans": "in_chans",
            "embed_dim": "embed_dim",
            "depths": "depths",
            "num_heads": "num_heads",
            "window_size": "window_size",
            "mlp_ratio": "mlp_ratio",
            "qkv_bias": "qkv_bias",
            "num_classes": "num_classes",
            "layer_norm_eps": "layer_norm_eps",
        },
        f"{where}: htsat",
    )
    gpt2 = _pick(
        data.get("gpt2", {}),
        Gpt2Config,
        {k: k for k in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "layer_norm_epsilon")}
        | {"activation_function": "activation_function"},
        f"{where}: gpt2",
    )
    dec = data.get("decoder", {})
    mapper = dec.get("audio_mapper", {})
    cross = dec.get("cross_project", {})
    flat = {
        **{k: dec[k] for k in dec if not isinstance(dec[k], dict)},
        "mapper_layers": mapper.get("layers"),
        "mapper_heads": mapper.get("num_heads"),
        "cross_layers": cross.get("layers"),
        "cross_heads": cross.get("num_heads"),
    }
    if "mlp_hidden" in mapper:
        flat["mapper_mlp_ratio"] = mapper["mlp_hidden"] / gpt2.n_embd
    flat = {k: v for k, v in flat.items() if v is not None}
    decoder = _pick(
        flat,
        DecoderConfig,
        {k: k for k in DecoderConfig.__dataclass_fields__},
        f"{where}: decoder",
    )
    text_section = {**data.get("text", {}), **data.get("data", {}), **data.get("generation", {})}
    text = _pick(
        text_section,
        TextConfig,
        {
            "ip_text_len": "ip_text_len",
            "prompt_suffix": "prompt_suffix",
            "pad_token": "pad_token",
            "stop_token": "stop_token",
        },
        f"{where}: text",
    )
    d_proj = data.get("audio_projection", {}).get("d_out", dec.get("d_proj", AdiffConfig.d_proj))
    d_in = data.get("audio_projection", {}).get("d_in")
    if d_in is not None and d_in != htsat.num_features:
        raise ModelError(
            f"{where}: audio_projection.d_in={d_in} but htsat embed_dim*2^(stages-1)={htsat.num_features}; fix one"
        )
    max_new = data.get("generation", {}).get("max_new_tokens", AdiffConfig.max_new_tokens)
    cfg = AdiffConfig(htsat=htsat, d_proj=int(d_proj), gpt2=gpt2, decoder=decoder, text=text, max_new_tokens=max_new)
    validate(cfg, where)
    return cfg


def validate(cfg: AdiffConfig, where: str = "config") -> None:
    h, d = cfg.htsat, cfg.decoder
    if len(h.depths) != len(h.num_heads):
        raise ModelError(f"{where}: htsat depths and num_heads must have the same length")
    if cfg.text.ip_text_len != d.prefix_length_clip:
        raise ModelError(f"{where}: data.ip_text_len must equal decoder.prefix_length_clip (the text mapper views it)")
    if cfg.gpt2.n_embd % d.mapper_heads or cfg.gpt2.n_embd % d.cross_heads:
        raise ModelError(f"{where}: gpt2.n_embd must be divisible by the mapper and cross-projection head counts")


def load_config(path: str | Path | None) -> AdiffConfig:
    """``None`` → full-size defaults; otherwise a JSON file in the fixture layout."""
    if path is None:
        return AdiffConfig()
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ModelError(f"config file {path} not found; pass config=PATH to an ADIFF config JSON") from exc
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    return config_from_json(data, str(path))
