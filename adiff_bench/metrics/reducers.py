"""Reducers for the coco-caption metrics: summed per-item statistics ``(..., k)`` → scores ``(...)``.

Imported lazily by :func:`adiff_bench.metrics.base.get_reducer`. Pure functions of numpy arrays, cheap
enough for bootstrap resampling. Transcendental functions go through Python's ``math`` (libm) element
by element, as pycocoevalcap's scorers do, so that a reduced corpus BLEU equals pycocoevalcap's exactly
(numpy's SIMD ``exp``/``power`` may differ in the last bit).
"""

from __future__ import annotations

import math

import numpy as np

from adiff_bench.metrics.base import register_reducer

# --- BLEU (pycocoevalcap.bleu.bleu_scorer.BleuScorer.compute_score, option="closest", one reference) ---
BLEU_MAX_N = 4
BLEU_TINY = 1e-15  # "so that if guess is 0 still return 0"
BLEU_SMALL = 1e-9
# stats columns: clipped n-gram matches (n=1..4), hypothesis n-gram counts ("guesses"), hyp length, ref length
BLEU_STATS = (
    *(f"correct_{n}" for n in range(1, BLEU_MAX_N + 1)),
    *(f"guess_{n}" for n in range(1, BLEU_MAX_N + 1)),
    "testlen",
    "reflen",
)

_pow = np.frompyfunc(math.pow, 2, 1)
_exp = np.frompyfunc(math.exp, 1, 1)


def _as_float(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def bleu_from_stats(sums: np.ndarray, n: int) -> np.ndarray:
    """BLEU-n from (summed) BLEU_STATS, in the same floating-point order as BleuScorer."""
    sums = _as_float(sums)
    bleu = np.ones(sums.shape[:-1], dtype=np.float64)
    for k in range(n):
        bleu = bleu * ((sums[..., k] + BLEU_TINY) / (sums[..., BLEU_MAX_N + k] + BLEU_SMALL))
    score = _as_float(_pow(bleu, 1.0 / n))
    ratio = (sums[..., 2 * BLEU_MAX_N] + BLEU_TINY) / (sums[..., 2 * BLEU_MAX_N + 1] + BLEU_SMALL)
    short = ratio < 1
    if np.any(short):
        with np.errstate(divide="ignore"):
            penalty = _as_float(_exp(1 - 1 / np.where(short, ratio, 1.0)))
        score = np.where(short, score * penalty, score)
    return score


for _n in range(1, BLEU_MAX_N + 1):
    register_reducer(f"coco-bleu-{_n}")(lambda sums, _n=_n: bleu_from_stats(sums, _n))


# --- METEOR 1.5 (edu.cmu.meteor.scorer.MeteorScorer.computeMetrics; -l en, default task "rank") ---
METEOR_ALPHA, METEOR_BETA, METEOR_GAMMA, METEOR_DELTA = 0.85, 0.2, 0.6, 0.75
METEOR_MODULE_WEIGHTS = (1.0, 0.6, 0.8, 0.6)  # exact, stem, synonym, paraphrase
METEOR_STAGES = 4
# Columns of the per-segment statistics the jar prints for SCORE lines (MeteorStats), plus the totals the
# jar derives when parsing them. "chunks" is 0 for a perfect segment (1 chunk, everything matched): the
# jar's MeteorStats.addStats skips those chunks when aggregating, and the segment's own score is unchanged.
METEOR_STATS = (
    "test_length",
    "ref_length",
    "test_function_words",
    "ref_function_words",
    "test_total_matches",
    "ref_total_matches",
    *(f"test_content_matches_{i}" for i in range(METEOR_STAGES)),
    *(f"ref_content_matches_{i}" for i in range(METEOR_STAGES)),
    *(f"test_function_matches_{i}" for i in range(METEOR_STAGES)),
    *(f"ref_function_matches_{i}" for i in range(METEOR_STAGES)),
    "chunks",
    "test_word_matches",
    "ref_word_matches",
)


def meteor_from_stats(sums: np.ndarray) -> np.ndarray:
    """METEOR from (summed) METEOR_STATS, in the jar's floating-point order (Math.pow may differ by 1 ulp)."""
    s = _as_float(sums)
    tl, rl, tfw, rfw, ttm, rtm = (s[..., i] for i in range(6))
    col = {name: i for i, name in enumerate(METEOR_STATS)}
    delta = METEOR_DELTA
    test_weighted_length = delta * (tl - tfw) + (1.0 - delta) * tfw
    ref_weighted_length = delta * (rl - rfw) + (1.0 - delta) * rfw
    test_matches = np.zeros_like(tl)
    ref_matches = np.zeros_like(tl)
    for i, weight in enumerate(METEOR_MODULE_WEIGHTS):
        test_matches = test_matches + s[..., col[f"test_content_matches_{i}"]] * weight * delta
    for i, weight in enumerate(METEOR_MODULE_WEIGHTS):
        ref_matches = ref_matches + s[..., col[f"ref_content_matches_{i}"]] * weight * delta
    for i, weight in enumerate(METEOR_MODULE_WEIGHTS):
        test_matches = test_matches + s[..., col[f"test_function_matches_{i}"]] * weight * (1.0 - delta)
    for i, weight in enumerate(METEOR_MODULE_WEIGHTS):
        ref_matches = ref_matches + s[..., col[f"ref_function_matches_{i}"]] * weight * (1.0 - delta)
    chunks = s[..., col["chunks"]]
    word_matches = s[..., col["test_word_matches"]] + s[..., col["ref_word_matches"]]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = test_matches / test_weighted_length
        recall = ref_matches / ref_weighted_length
        f_mean = 1.0 / ((1.0 - METEOR_ALPHA) / precision + METEOR_ALPHA / recall)
        perfect = (ttm == tl) & (rtm == rl) & (chunks == 1)
        frag = np.where(perfect, 0.0, chunks / (word_matches / 2.0))
    frag_penalty = METEOR_GAMMA * _as_float(_pow(frag, METEOR_BETA))
    score = f_mean * (1.0 - frag_penalty)
    return np.maximum(np.where(np.isnan(score), 0.0, score), 0.0)


register_reducer("meteor-1.5")(meteor_from_stats)
