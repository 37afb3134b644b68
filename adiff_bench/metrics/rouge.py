"""ROUGE-L as pycocoevalcap's ``Rouge()`` (beta 1.2, tokens split on single spaces), one reference per item.

The LCS length is an integer, so a bit-parallel LCS (Hyyrö 2004) gives pycocoevalcap's exact value far
faster than its O(n·m) Python table; the F-measure is then computed with its exact expression.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from adiff_bench.metrics.base import MetricResult, mean_result

if TYPE_CHECKING:
    from adiff_bench.metrics.context import ScoringContext

BETA = 1.2


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (bit-parallel over ``a``)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    masks: dict[str, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def rouge_l_item(tokenized_hypothesis: str, tokenized_reference: str) -> float:
    candidate = tokenized_hypothesis.split(" ")
    reference = tokenized_reference.split(" ")
    lcs = lcs_length(reference, candidate)
    prec = lcs / float(len(candidate))
    rec = lcs / float(len(reference))
    if prec != 0 and rec != 0:
        return ((1 + BETA**2) * prec * rec) / float(rec + BETA**2 * prec)
    return 0.0


def score(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> MetricResult:
    tokenized_hypotheses, tokenized_references = ctx.tokens
    per_item = np.array(
        [rouge_l_item(h, r) for h, r in zip(tokenized_hypotheses, tokenized_references, strict=True)], dtype=np.float64
    )
    return mean_result("ROUGE-L", f"ROUGE-L|{ctx.lexical_tail}|beta:{BETA}", per_item)
