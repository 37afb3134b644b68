"""The ADIFF network: HTSAT → projection → per-audio prefix mappers + prompt mapper → cross-projection → GPT-2.

Attribute names mirror the released checkpoint (``audio_encoder.*``, ``caption_decoder.*``).
GPT-2 is transformers' ``GPT2LMHeadModel`` built from a config; its weights always come from the checkpoint.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from adiff_bench.models.adiff.config import AdiffConfig
from adiff_bench.models.adiff.htsat import Htsat
from adiff_bench.models.adiff.mappers import AudioMapper, TextMapper, Transformer


class Projection(nn.Module):
    def __init__(self, d_in: int, d_out: int, p: float = 0.5) -> None:
        super().__init__()
        self.linear1 = nn.Linear(d_in, d_out, bias=False)
        self.linear2 = nn.Linear(d_out, d_out, bias=False)
        self.layer_norm = nn.LayerNorm(d_out)
        self.drop = nn.Dropout(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e1 = self.linear1(x)
        e2 = self.drop(self.linear2(F.gelu(e1)))
        return self.layer_norm(e1 + e2)


class _HtsatHolder(nn.Module):
    def __init__(self, cfg: AdiffConfig) -> None:
        super().__init__()
        self.htsat = Htsat(cfg.htsat)


class AudioEncoder(nn.Module):
    def __init__(self, cfg: AdiffConfig) -> None:
        super().__init__()
        self.base = _HtsatHolder(cfg)
        self.projection = Projection(cfg.htsat.num_features, cfg.d_proj)

    def forward(self, wave: torch.Tensor) -> dict[str, torch.Tensor]:
        out = self.base.htsat(wave)
        return {**out, "projected": self.projection(out["embedding"])}


def build_gpt2(cfg: AdiffConfig, attn_implementation: str = "sdpa") -> nn.Module:
    from transformers import GPT2Config, GPT2LMHeadModel

    g = cfg.gpt2
    config = GPT2Config(
        vocab_size=g.vocab_size,
        n_positions=g.n_positions,
        n_embd=g.n_embd,
        n_layer=g.n_layer,
        n_head=g.n_head,
        layer_norm_epsilon=g.layer_norm_epsilon,
        activation_function=g.activation_function,
        tie_word_embeddings=True,
    )
    config._attn_implementation = attn_implementation
    return GPT2LMHeadModel(config)


class CaptionDecoder(nn.Module):
    def __init__(self, cfg: AdiffConfig, attn_implementation: str = "sdpa") -> None:
        super().__init__()
        d, dim = cfg.decoder, cfg.gpt2.n_embd
        self.cfg = cfg
        self.gpt = build_gpt2(cfg, attn_implementation)
        args = (d.prefix_length, d.prefix_length_clip, d.mapper_heads, d.mapper_layers, d.mapper_mlp_ratio)
        eps = d.mapper_layer_norm_eps
        self.audio_project1 = AudioMapper(cfg.d_proj, dim, *args, eps)
        self.audio_project2 = AudioMapper(cfg.d_proj, dim, *args, eps)
        self.text_project = TextMapper(dim, *args, eps)
        if d.use_cross_project:
            self.cross_project = Transformer(dim, d.cross_heads, d.cross_layers, d.mapper_mlp_ratio, eps)
        else:
            self.cross_project = None

    @property
    def wte(self) -> nn.Embedding:
        return self.gpt.transformer.wte

    def audio_prefix(self, projected: torch.Tensor, role: int) -> torch.Tensor:
        """Projected audio embeddings (B, d_proj) of the first (role 1) or second (role 2) clip → its GPT-2 prefix
        part (B, prefix_length, n_embd). Depends on that clip alone: this is what a run computes once per clip."""
        if self.cfg.decoder.normalize_prefix:
            projected = projected / projected.norm(2, -1, keepdim=True)
        return (self.audio_project1 if role == 1 else self.audio_project2)(projected)

    def join(self, part1: torch.Tensor, part2: torch.Tensor, prompt_ids: torch.Tensor) -> dict[str, torch.Tensor]:
        """Both clips' prefix parts + prompt ids (B, ip_text_len) → the GPT-2 prefix (where the prompt enters)."""
        d = self.cfg.decoder
        parts = [part1]
        if d.use_separator:
            sep = torch.full((part1.shape[0], 1), d.sep_token_id, dtype=torch.long, device=prompt_ids.device)
            parts.append(self.wte(sep))
        parts += [part2, self.text_project(self.wte(prompt_ids))]
        pre = torch.cat(parts, dim=1)
        post = self.cross_project(pre) if self.cross_project is not None else pre
        return {"prefix_pre_cross": pre, "prefix": post}

    def prefix(self, audio1: torch.Tensor, audio2: torch.Tensor, prompt_ids: torch.Tensor) -> dict[str, torch.Tensor]:
        """Projected audio embeddings (B, d_proj) ×2 and prompt ids (B, ip_text_len) → GPT-2 prefix."""
        return self.join(self.audio_prefix(audio1, 1), self.audio_prefix(audio2, 2), prompt_ids)


class AdiffNet(nn.Module):
    """Top-level module; ``state_dict()`` keys equal the official checkpoint's (minus legacy GPT-2 buffers)."""

    def __init__(self, cfg: AdiffConfig, attn_implementation: str = "sdpa") -> None:
        super().__init__()
        self.cfg = cfg
        self.audio_encoder = AudioEncoder(cfg)
        self.caption_decoder = CaptionDecoder(cfg, attn_implementation)

    def encode_pair(
        self, wave1: torch.Tensor, wave2: torch.Tensor, prompt_ids: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        """Everything up to the prefix, with the intermediate tensors the golden fixture records."""
        both = self.audio_encoder(torch.cat([wave1, wave2], dim=0))  # one HTSAT pass for both clips
        n = wave1.shape[0]
        a1 = {k: v[:n] for k, v in both.items()}
        a2 = {k: v[n:] for k, v in both.items()}
        out = self.caption_decoder.prefix(a1["projected"], a2["projected"], prompt_ids)
        for key in ("logmel", "embedding", "clipwise", "projected"):
            out[f"audio1_{key}"] = a1[key]
            out[f"audio2_{key}"] = a2[key]
        return out
