"""CIDEr-D as pycocoevalcap's ``Cider()`` (n=4, sigma=6, clipped, Gaussian length penalty), bit for bit.

Document frequencies come from the evaluated reference set itself (as in pycocoevalcap), so an item's
score depends on which other items are scored with it; the signature says ``df:evaluated-set``. The
reference side (document frequencies, tf-idf vectors) is computed once per reference set and cached in
the process; only hypotheses are processed per call. Every floating-point operation follows
``CiderScorer.compute_cider`` in the same order and with the same functions (``np.log``, ``pow``, ``np.mean``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from adiff_bench.metrics.base import MetricResult, mean_result
from adiff_bench.metrics.cache import LruCache, content_key
from adiff_bench.metrics.ngrams import MAX_N, Cooked, precook

if TYPE_CHECKING:
    from adiff_bench.metrics.context import ScoringContext

SIGMA = 6.0
NGram = tuple[str, ...]


@dataclass(frozen=True)
class _Vector:
    weights: tuple[dict[NGram, float], ...]  # tf-idf per n-gram order
    norms: tuple[float, ...]
    length: int  # pycocoevalcap counts bigrams here ("if n == 1"); kept for identical penalties


@dataclass(frozen=True)
class _ReferenceSide:
    ref_len: float
    log_df: dict[NGram, float]  # log(max(1, document frequency)) of every reference n-gram
    vectors: tuple[_Vector, ...]


_REFERENCE_CACHE: LruCache[_ReferenceSide] = LruCache(maxsize=4)


def _to_vector(counts: dict[NGram, int], ref_len: float, log_df: dict[NGram, float]) -> _Vector:
    """An n-gram missing from the references has df 0, and pycocoevalcap's log(max(1.0, 0.0)) is 0.0."""
    weights: tuple[dict[NGram, float], ...] = tuple({} for _ in range(MAX_N))
    norm = [0.0] * MAX_N
    length = 0
    get_log_df = log_df.get
    for ngram, term_freq in counts.items():
        n = len(ngram) - 1
        value = float(term_freq) * (ref_len - get_log_df(ngram, 0.0))
        weights[n][ngram] = value
        norm[n] += pow(value, 2)
        if n == 1:
            length += term_freq
    return _Vector(weights, tuple(float(np.sqrt(x)) for x in norm), length)


def _similarity(hyp: _Vector, ref: _Vector) -> list[float]:
    delta = float(hyp.length - ref.length)
    penalty = np.e ** (-(delta**2) / (2 * SIGMA**2))
    val = [0.0] * MAX_N
    for n in range(MAX_N):
        ref_weights = ref.weights[n]
        total = 0.0
        for ngram, weight in hyp.weights[n].items():
            ref_weight = ref_weights.get(ngram)
            if ref_weight is not None:  # a missing n-gram adds min(w, 0.0) * 0.0 == 0.0 (weights are >= 0)
                total += min(weight, ref_weight) * ref_weight
        if hyp.norms[n] != 0 and ref.norms[n] != 0:
            total /= hyp.norms[n] * ref.norms[n]
        val[n] = total * penalty
    return val


def _reference_side(
    tokenized_references: Sequence[str], cooked: list[tuple[int, dict[NGram, int]]] | None = None
) -> _ReferenceSide:
    counts = [c for _, c in cooked] if cooked is not None else [precook(ref)[1] for ref in tokenized_references]
    document_frequency: Counter[NGram] = Counter()
    for ref_counts in counts:
        document_frequency.update(ref_counts.keys())
    # np.log on each distinct count, as pycocoevalcap computes it per n-gram: the same scalar call, same bits
    log_of_count = {df: float(np.log(max(1.0, df))) for df in set(document_frequency.values())}
    log_df = {ngram: log_of_count[df] for ngram, df in document_frequency.items()}
    ref_len = float(np.log(float(len(tokenized_references))))
    return _ReferenceSide(ref_len, log_df, tuple(_to_vector(c, ref_len, log_df) for c in counts))


def reference_side(
    tokenized_references: Sequence[str], cooked: list[tuple[int, dict[NGram, int]]] | None = None
) -> _ReferenceSide:
    return _REFERENCE_CACHE.get_or_compute(
        content_key(tokenized_references), lambda: _reference_side(tokenized_references, cooked)
    )


def cider_d_per_item(
    tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str], cooked: Cooked | None = None
) -> np.ndarray:
    """Per-item CIDEr-D; document frequencies fixed by ``tokenized_references`` (the whole evaluated set).

    ``cooked``: the texts' precooked counts, when the caller has them already.
    """
    if len(tokenized_hypotheses) != len(tokenized_references):
        raise ValueError("hypotheses and references differ in length")
    side = reference_side(tokenized_references, cooked[1] if cooked else None)
    hyp_counts = [c for _, c in cooked[0]] if cooked else [precook(hyp)[1] for hyp in tokenized_hypotheses]
    scores = np.empty(len(tokenized_hypotheses), dtype=np.float64)
    for i, (counts, ref_vector) in enumerate(zip(hyp_counts, side.vectors, strict=True)):
        vector = _to_vector(counts, side.ref_len, side.log_df)
        score_avg = np.mean(np.array(_similarity(vector, ref_vector)))
        score_avg /= 1  # one reference per item
        score_avg *= 10.0
        scores[i] = score_avg
    return scores


def score(hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext) -> MetricResult:
    per_item = cider_d_per_item(*ctx.tokens, ctx.ngram_counts)
    return mean_result("CIDEr-D", f"CIDEr-D|{ctx.lexical_tail}|n:4|sigma:{SIGMA:g}|df:evaluated-set", per_item)


def clear_cache() -> None:
    _REFERENCE_CACHE.clear()
