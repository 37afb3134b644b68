"""CIDEr-D as pycocoevalcap's ``Cider()`` (n=4, sigma=6, clipped, Gaussian length penalty), bit for bit.

Document frequencies come from the evaluated reference set itself (as in pycocoevalcap), so an item's
score depends on which other items are scored with it; the signature says ``df:evaluated-set``. The
reference side (document frequencies, tf-idf vectors) is computed once per reference set and cached in
the process; only hypotheses are processed per call. Every floating-point operation follows
``CiderScorer.compute_cider`` in the same order and with the same functions (``np.log``, ``pow``, ``np.mean``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adiff_bench.metrics.base import MetricResult, mean_result
from adiff_bench.metrics.cache import LruCache, content_key
from adiff_bench.metrics.ngrams import MAX_N, precook

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
    document_frequency: dict[NGram, float]
    log_df: dict[float, float]
    vectors: tuple[_Vector, ...]


_REFERENCE_CACHE: LruCache[_ReferenceSide] = LruCache(maxsize=4)


def _log_df(side_log: dict[float, float], df: float) -> float:
    value = side_log.get(df)
    if value is None:
        value = side_log[df] = float(np.log(max(1.0, df)))
    return value


def _to_vector(
    counts: dict[NGram, int], ref_len: float, dfs: dict[NGram, float], log_df: dict[float, float]
) -> _Vector:
    weights: tuple[dict[NGram, float], ...] = tuple({} for _ in range(MAX_N))
    norm = [0.0] * MAX_N
    length = 0
    for ngram, term_freq in counts.items():
        df = _log_df(log_df, dfs.get(ngram, 0.0))
        n = len(ngram) - 1
        value = float(term_freq) * (ref_len - df)
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


def _reference_side(tokenized_references: Sequence[str]) -> _ReferenceSide:
    counts = [precook(ref)[1] for ref in tokenized_references]
    dfs: dict[NGram, float] = {}
    for ref_counts in counts:
        for ngram in ref_counts:
            dfs[ngram] = dfs.get(ngram, 0.0) + 1
    ref_len = float(np.log(float(len(tokenized_references))))
    log_df: dict[float, float] = {}
    vectors = tuple(_to_vector(c, ref_len, dfs, log_df) for c in counts)
    return _ReferenceSide(ref_len, dfs, log_df, vectors)


def reference_side(tokenized_references: Sequence[str]) -> _ReferenceSide:
    return _REFERENCE_CACHE.get_or_compute(
        content_key(tokenized_references), lambda: _reference_side(tokenized_references)
    )


def cider_d_per_item(tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str]) -> np.ndarray:
    """Per-item CIDEr-D; document frequencies fixed by ``tokenized_references`` (the whole evaluated set)."""
    if len(tokenized_hypotheses) != len(tokenized_references):
        raise ValueError("hypotheses and references differ in length")
    side = reference_side(tokenized_references)
    scores = np.empty(len(tokenized_hypotheses), dtype=np.float64)
    for i, (hyp, ref_vector) in enumerate(zip(tokenized_hypotheses, side.vectors, strict=True)):
        vector = _to_vector(precook(hyp)[1], side.ref_len, side.document_frequency, side.log_df)
        score_avg = np.mean(np.array(_similarity(vector, ref_vector)))
        score_avg /= 1  # one reference per item
        score_avg *= 10.0
        scores[i] = score_avg
    return scores


def cider_d_score(
    tokenized_hypotheses: Sequence[str], tokenized_references: Sequence[str], signature_tail: str
) -> MetricResult:
    per_item = cider_d_per_item(tokenized_hypotheses, tokenized_references)
    return mean_result("CIDEr-D", f"CIDEr-D|{signature_tail}|n:4|sigma:{SIGMA:g}|df:evaluated-set", per_item)


def clear_cache() -> None:
    _REFERENCE_CACHE.clear()
