"""BLEU-1..4 as pycocoevalcap's ``Bleu(4)`` (BleuScorer, option "closest"), with additive per-item stats.

Per item we keep clipped n-gram matches, hypothesis n-gram counts, hypothesis and reference length
(reducers.BLEU_STATS); ``bleu_from_stats(stats.sum(0), n)`` is pycocoevalcap's corpus BLEU-n, bit for bit,
and ``bleu_from_stats(stats, n)`` its per-item scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from adiff_bench.metrics.base import MetricResult
from adiff_bench.metrics.ngrams import MAX_N, Cooked, precook_all
from adiff_bench.metrics.reducers import BLEU_STATS, bleu_from_stats

if TYPE_CHECKING:
    from adiff_bench.metrics.context import ScoringContext
    from adiff_bench.metrics.suite import MetricFn


def bleu_stats(
    tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str], cooked: Cooked | None = None
) -> np.ndarray:
    """(n_items, 10) integer-valued statistics; one reference per item. ``cooked``: their precooked counts."""
    hyp_cooked, ref_cooked = cooked or (precook_all(tokenized_hypotheses), precook_all(tokenized_references))
    rows = np.zeros((len(tokenized_hypotheses), len(BLEU_STATS)), dtype=np.float64)
    for i, ((test_len, test_counts), (ref_len, ref_counts)) in enumerate(zip(hyp_cooked, ref_cooked, strict=True)):
        correct = [0] * MAX_N
        for ngram, count in test_counts.items():
            correct[len(ngram) - 1] += min(ref_counts.get(ngram, 0), count)
        guess = [max(0, test_len - k + 1) for k in range(1, MAX_N + 1)]
        rows[i] = (*correct, *guess, test_len, ref_len)
    return rows


def bleu(n: int) -> MetricFn:
    """The suite's BLEU-``n``; the four share one statistics pass (over the context's shared n-gram counts)."""

    def score(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> MetricResult:
        stats = ctx.shared("bleu_stats", lambda: bleu_stats(*ctx.tokens, ctx.ngram_counts))
        return MetricResult(
            name=f"BLEU-{n}",
            signature=f"BLEU-{n}|{ctx.lexical_tail}|bp:closest",
            corpus=float(bleu_from_stats(stats.sum(axis=0), n)),
            per_item=bleu_from_stats(stats, n),
            stats=stats,
            reducer=f"coco-bleu-{n}",
        )

    return score
