"""Prefix mappers: small pre-LN transformers that turn an embedding (or a prompt) into GPT-2 input vectors."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadAttention(nn.Module):
    """Self-attention; keys and values come from one projection (first half keys, second half values)."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.to_queries = nn.Linear(dim, dim, bias=False)
        self.to_keys_values = nn.Linear(dim, 2 * dim, bias=False)
        self.project = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        h = self.heads
        q = self.to_queries(x).reshape(b, n, h, c // h).transpose(1, 2)
        kv = self.to_keys_values(x).reshape(b, n, 2, h, c // h)
        k, v = kv[:, :, 0].transpose(1, 2), kv[:, :, 1].transpose(1, 2)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.project((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    """fc1 → activation → fc2; the mappers use ReLU, HTSAT's Swin blocks (exact) GELU."""

    def __init__(self, dim: int, hidden: int, activation: Callable[[torch.Tensor], torch.Tensor] = F.relu) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.activation(self.fc1(x)))


class TransformerLayer(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float, eps: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = MultiHeadAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Transformer(nn.Module):
    """A stack of layers with no final norm (the checkpoint has none)."""

    def __init__(self, dim: int, heads: int, layers: int, mlp_ratio: float, eps: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(TransformerLayer(dim, heads, mlp_ratio, eps) for _ in range(layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class _PrefixMapper(nn.Module):
    """Runs ``[clip tokens, learned constants]`` through a transformer and keeps the constants' outputs."""

    def __init__(
        self, dim: int, prefix_length: int, clip_length: int, heads: int, layers: int, ratio: float, eps: float
    ):
        super().__init__()
        self.clip_length = clip_length
        self.transformer = Transformer(dim, heads, layers, ratio, eps)
        self.prefix_const = nn.Parameter(torch.zeros(prefix_length, dim))

    def _map(self, tokens: torch.Tensor) -> torch.Tensor:
        const = self.prefix_const.unsqueeze(0).expand(tokens.shape[0], *self.prefix_const.shape)
        return self.transformer(torch.cat((tokens, const), dim=1))[:, self.clip_length :]


class AudioMapper(_PrefixMapper):
    """(B, d_proj) audio embedding → (B, prefix_length, n_embd) via a linear expansion to clip_length tokens."""

    def __init__(
        self,
        d_in: int,
        dim: int,
        prefix_length: int,
        clip_length: int,
        heads: int,
        layers: int,
        ratio: float,
        eps: float,
    ):
        super().__init__(dim, prefix_length, clip_length, heads, layers, ratio, eps)
        self.linear = nn.Linear(d_in, clip_length * dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._map(self.linear(x).view(x.shape[0], self.clip_length, -1))


class TextMapper(_PrefixMapper):
    """(B, ip_text_len, n_embd) prompt embeddings → (B, prefix_length, n_embd)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._map(x.reshape(x.shape[0], self.clip_length, -1))
