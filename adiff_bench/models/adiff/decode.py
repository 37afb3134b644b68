"""Greedy decoding from a GPT-2 prefix: a batched KV-cache decoder, and the official per-example loop.

Both stop right after producing ``stop_id`` (kept in ``token_ids``; 50256 does not stop ADIFF). The batched
decoder drops finished rows from the batch and cache, so a row's tokens never depend on the others: all
prefixes have the same length, so no padding or attention mask is involved.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class Generation:
    token_ids: tuple[int, ...]  # generated ids, the stop id included when it was produced
    stopped: bool  # True when the stop id ended generation, False when max_new_tokens did

    def without_stop(self) -> tuple[int, ...]:
        return self.token_ids[:-1] if self.stopped else self.token_ids


def _cache_kwarg(gpt: Any) -> str:
    """transformers 5.x names the argument ``cache``; 4.x names it ``past_key_values``."""
    return "cache" if "cache" in inspect.signature(gpt.forward).parameters else "past_key_values"


@torch.inference_mode()
def greedy_decode(gpt: Any, prefix: torch.Tensor, max_new_tokens: int, stop_id: int | None) -> list[Generation]:
    """(B, P, D) prefix embeddings → one ``Generation`` per row; ``stop_id=None`` never stops early."""
    batch = prefix.shape[0]
    tokens: list[list[int]] = [[] for _ in range(batch)]
    stopped = [False] * batch
    if max_new_tokens <= 0 or batch == 0:
        return [Generation((), False) for _ in range(batch)]
    from transformers import DynamicCache

    wte = gpt.get_input_embeddings()
    cache = DynamicCache()
    cache_arg = {_cache_kwarg(gpt): cache}
    out = gpt(inputs_embeds=prefix, use_cache=True, logits_to_keep=1, **cache_arg)
    nxt = out.logits[:, -1].argmax(-1)
    active = list(range(batch))
    for step in range(max_new_tokens):
        ids = nxt.tolist()
        keep: list[int] = []
        for j, (row, tok) in enumerate(zip(active, ids, strict=True)):
            tokens[row].append(tok)
            if stop_id is not None and tok == stop_id:
                stopped[row] = True
            else:
                keep.append(j)
        if not keep or step == max_new_tokens - 1:
            break
        if len(keep) < len(active):
            index = torch.tensor(keep, device=nxt.device)
            cache.batch_select_indices(index)
            nxt = nxt.index_select(0, index)
            active = [active[j] for j in keep]
        out = gpt(inputs_embeds=wte(nxt)[:, None, :], use_cache=True, logits_to_keep=1, **cache_arg)
        nxt = out.logits[:, -1].argmax(-1)
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
