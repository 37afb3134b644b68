"""Greedy decoding from a GPT-2 prefix: a batched KV-cache decoder, and the official per-example loop.

Both stop right after producing ``stop_id`` (kept in ``token_ids``; 50256 does not stop ADIFF). The batched
decoder keeps its own preallocated KV cache; rows never attend to each other, and all prefixes have the
same length, so no padding or attention mask is involved (only float rounding of batched matrix products can
differ from batch size 1; the golden tests check the ids are identical).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Generation:
    token_ids: tuple[int, ...]  # generated ids, the stop id included when it was produced
    stopped: bool  # True when the stop id ended generation, False when max_new_tokens did

    def without_stop(self) -> tuple[int, ...]:
        return self.token_ids[:-1] if self.stopped else self.token_ids


class _Gpt2Steps:
    """GPT-2 forward with a preallocated KV cache, using the modules (and weights) of a transformers GPT-2.

    A growing cache (transformers' DynamicCache) copies every layer's keys/values at every step; here each
    step writes one position in place. The maths is GPT-2's: pre-LN blocks, scaled dot-product attention
    (causal over the prefix; a single new query needs no mask), then ln_f and the tied LM head.
    """

    VOCAB_CHUNK = 1024  # LM-head rows per slice (measured on 2 CPU threads, batch 8 and 32)

    def __init__(self, gpt: Any, batch: int, length: int, like: torch.Tensor) -> None:
        t = gpt.transformer
        self.blocks, self.wpe, self.ln_f, self.lm_head = list(t.h), t.wpe, t.ln_f, gpt.lm_head
        self.heads = gpt.config.n_head
        # GPT-2's "gelu_new" is GELU's tanh approximation; transformers evaluates it as five separate tensor ops
        # (a fifth of the prefill's time), torch's fused kernel gives the same function in one pass.
        self.fused_gelu = gpt.config.activation_function == "gelu_new" and not gpt.training
        self.head_dim = gpt.config.n_embd // self.heads
        shape = (len(self.blocks), batch, self.heads, length, self.head_dim)
        self.keys = like.new_empty(shape)
        self.values = like.new_empty(shape)

    def keep_rows(self, index: torch.Tensor) -> None:
        self.keys = self.keys.index_select(1, index)
        self.values = self.values.index_select(1, index)

    def __call__(self, x: torch.Tensor, start: int) -> torch.Tensor:
        """(B, T, D) embeddings at positions start..start+T-1 → arg-max next token (B,) of the last one."""
        b, t, d = x.shape
        h = x + self.wpe(torch.arange(start, start + t, device=x.device))
        last = len(self.blocks) - 1
        for i, block in enumerate(self.blocks):
            q, k, v = block.attn.c_attn(block.ln_1(h)).split(d, dim=2)
            q, k, v = (z.view(b, t, self.heads, self.head_dim).transpose(1, 2) for z in (q, k, v))
            self.keys[i, :, :, start : start + t] = k
            self.values[i, :, :, start : start + t] = v
            keys, values = self.keys[i, :, :, : start + t], self.values[i, :, :, : start + t]
            if i == last and t > 1:
                # Only the last position's output is used from here on: its query sees every key (no mask),
                # and the rest of the block runs on that one position.
                q, h, t = q[:, :, -1:], h[:, -1:], 1
            out = F.scaled_dot_product_attention(q, keys, values, is_causal=t > 1)
            h = h + block.attn.c_proj(out.transpose(1, 2).reshape(b, t, d))
            h = h + self._mlp(block.mlp, block.ln_2(h))
        return self._argmax_logits(self.ln_f(h[:, -1]))

    def _mlp(self, mlp: Any, x: torch.Tensor) -> torch.Tensor:
        if not self.fused_gelu:
            return mlp(x)
        return mlp.c_proj(F.gelu(mlp.c_fc(x), approximate="tanh"))  # eval mode: dropout is the identity

    def _argmax_logits(self, h: torch.Tensor) -> torch.Tensor:
        """Arg-max of the LM head's logits, computed over vocabulary slices.

        Each logit is the same dot product either way (bit-identical), but with a few rows MKL runs the
        (rows × 50257) product faster on slices whose weights stay in cache; a single row gains nothing.
        """
        weight, bias = self.lm_head.weight, self.lm_head.bias
        if h.shape[0] < 2:
            return F.linear(h, weight, bias).argmax(-1)
        chunk = self.VOCAB_CHUNK
        parts = [
            F.linear(h, weight[j : j + chunk], None if bias is None else bias[j : j + chunk])
            for j in range(0, weight.shape[0], chunk)
        ]
        return torch.cat(parts, dim=1).argmax(-1)


@torch.inference_mode()
def greedy_decode(gpt: Any, prefix: torch.Tensor, max_new_tokens: int, stop_id: int | None) -> list[Generation]:
    """(B, P, D) prefix embeddings → one ``Generation`` per row; ``stop_id=None`` never stops early.

    Finished rows keep being computed (their tokens are discarded) until at most half the batch is still
    running; then the batch and cache are compacted, so the cost follows the rows that are still running.
    """
    batch, length = prefix.shape[0], prefix.shape[1]
    tokens: list[list[int]] = [[] for _ in range(batch)]
    stopped = [False] * batch
    if max_new_tokens <= 0 or batch == 0:
        return [Generation((), False) for _ in range(batch)]
    wte = gpt.get_input_embeddings()
    model = _Gpt2Steps(gpt, batch, length + max_new_tokens, prefix)
    nxt = model(prefix, 0)
    rows = list(range(batch))  # original row of each batch slot
    running = set(rows)
    for step in range(max_new_tokens):
        for row, tok in zip(rows, nxt.tolist(), strict=True):
            if row in running:
                tokens[row].append(tok)
                if stop_id is not None and tok == stop_id:
                    stopped[row] = True
                    running.discard(row)
        if not running or step == max_new_tokens - 1:
            break
        if len(running) <= len(rows) // 2:
            slots = [j for j, row in enumerate(rows) if row in running]
            index = torch.tensor(slots, device=nxt.device)
            model.keep_rows(index)
            nxt = nxt.index_select(0, index)
            rows = [rows[j] for j in slots]
        nxt = model(wte(nxt)[:, None, :], length + step)
    return [Generation(tuple(t), s) for t, s in zip(tokens, stopped, strict=True)]


@torch.inference_mode()
def official_greedy(
    gpt: Any, prefix: torch.Tensor, max_new_tokens: int, stop_id: int | None, top_p: float = 0.8
) -> Generation:
    """The official loop for ONE example: no cache, GPT-2 rerun on the whole sequence (all positions' logits),
    top-p filtering that never removes the arg-max, then arg-max. Kept as the reference for tests/benchmarks."""
    assert prefix.shape[0] == 1, "the official loop handles one example at a time"
    wte = gpt.get_input_embeddings()
    generated = prefix
    tokens: list[int] = []
    for _ in range(max_new_tokens):
        logits = gpt(inputs_embeds=generated, use_cache=False).logits[:, -1, :] / 1.0
        sorted_logits, sorted_indices = torch.sort(logits, descending=True)
        cumulative = torch.cumsum(torch.softmax(sorted_logits, dim=-1), dim=-1)
        remove = cumulative > top_p
        remove[..., 1:] = remove[..., :-1].clone()
        remove[..., 0] = False
        logits[:, sorted_indices[remove]] = -float("inf")
        nxt = torch.argmax(logits, -1)
        tokens.append(int(nxt.item()))
        generated = torch.cat((generated, wte(nxt)[:, None, :]), dim=1)
        if stop_id is not None and tokens[-1] == stop_id:
            return Generation(tuple(tokens), True)
    return Generation(tuple(tokens), False)
