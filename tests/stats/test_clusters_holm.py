"""Clip-clustered resampling widens intervals where pairs share clips, and keeps coverage; Holm by hand."""

from __future__ import annotations

import numpy as np
import pytest

from adiff_bench.errors import DataError
from adiff_bench.metrics.base import MetricResult, mean_stats
from adiff_bench.stats import bootstrap_intervals, clips_repeat, clusters_for_pairs, holm, paired_test


def mean_result(values: np.ndarray) -> MetricResult:
    return MetricResult("m", "m-sig", float(np.mean(values)), values, mean_stats(values), "mean")


def acd_like_pairs(n_clips: int, per_clip: int, rng: np.random.Generator) -> np.ndarray:
    """Each clip is the first clip of ``per_clip`` pairs with random partners, as in ACD/CLD."""
    first = np.repeat(np.arange(n_clips), per_clip)
    second = (first + rng.integers(1, n_clips, size=first.size)) % n_clips
    return np.stack([first, second], axis=1)


def clip_effect_values(pairs: np.ndarray, clip_sd: float, rng: np.random.Generator) -> np.ndarray:
    effect = rng.normal(0, clip_sd, pairs.max() + 1)
    return effect[pairs[:, 0]] + effect[pairs[:, 1]] + rng.normal(0, 1, len(pairs))


def width(ci) -> float:
    return ci.high - ci.low


def test_clusters_for_pairs_codes_clips_in_either_position() -> None:
    codes = clusters_for_pairs([("x.wav", "y.wav"), ("y.wav", "z.wav"), ("z.wav", "x.wav")])
    assert codes.tolist() == [[0, 1], [1, 2], [2, 0]]
    assert clips_repeat([("x", "y"), ("y", "z")]) and not clips_repeat([("a", "b"), ("c", "d")])
    with pytest.raises(DataError, match="item 1: expected two clip paths"):
        clusters_for_pairs([("a", "b"), ("c", "")])


def test_real_acd_test_split_has_repeating_clips(official_data) -> None:
    import csv

    with open(official_data / "ACD" / "acd_test_adiff_sentence_answer.csv", encoding="utf-8") as handle:
        pairs = [(r["filepath1"], r["filepath2"]) for r in csv.DictReader(handle)]
    codes = clusters_for_pairs(pairs)
    assert codes.shape == (len(pairs), 2)
    n_clips = codes.max() + 1
    assert clips_repeat(pairs) and n_clips < len(pairs) / 3  # ~957 clips for 4,680 pairs


def test_one_way_clusters_widen_intervals_when_items_within_a_cluster_are_correlated() -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(60), 5)
    values = rng.normal(0, 1, 60)[labels] + rng.normal(0, 0.3, labels.size)
    results = {"m": mean_result(values)}
    plain = bootstrap_intervals(results, n_resamples=1000)["m"]
    clustered = bootstrap_intervals(results, n_resamples=1000, clusters=labels)["m"]
    assert width(clustered) > 1.8 * width(plain)
    assert "one-way cluster bootstrap over 60 clusters" in clustered.method


def test_clip_resampling_widens_intervals_under_clip_effects() -> None:
    rng = np.random.default_rng(1)
    pairs = acd_like_pairs(200, 5, rng)
    results = {"m": mean_result(clip_effect_values(pairs, 1.0, rng))}
    plain = bootstrap_intervals(results, n_resamples=1000)["m"]
    clipped = bootstrap_intervals(results, n_resamples=1000, clusters=pairs)["m"]
    assert width(clipped) > 2.0 * width(plain)
    assert "clips resampled with replacement" in clipped.method and "200 clips" in clipped.method


def test_clip_resampling_keeps_coverage_where_item_resampling_loses_it() -> None:
    rng = np.random.default_rng(2)
    pairs = acd_like_pairs(100, 5, rng)
    covered = {"items": 0, "clips": 0}
    n_sims = 120
    for sim in range(n_sims):
        values = clip_effect_values(pairs, 1.0, rng)  # true mean is 0
        results = {"m": mean_result(values)}
        for kind, clusters in (("items", None), ("clips", pairs)):
            ci = bootstrap_intervals(results, n_resamples=300, seed=sim, clusters=clusters)["m"]
            covered[kind] += ci.low <= 0.0 <= ci.high
    assert covered["clips"] / n_sims >= 0.9
    assert covered["items"] / n_sims <= 0.8  # item resampling under-covers badly here


def test_calibrated_clip_intervals_are_not_wider_than_needed_without_clip_effects() -> None:
    # Raw product-weight resampling would be ~sqrt(3) too wide here; the dyadic-robust calibration is not.
    rng = np.random.default_rng(4)
    pairs = acd_like_pairs(300, 5, rng)
    ratios = []
    for sim in range(10):
        results = {"m": mean_result(rng.normal(0, 1, len(pairs)))}
        plain = bootstrap_intervals(results, n_resamples=500, seed=sim)["m"]
        clipped = bootstrap_intervals(results, n_resamples=500, seed=sim, clusters=pairs)["m"]
        ratios.append(width(clipped) / width(plain))
    assert 0.9 < np.mean(ratios) < 1.25, ratios


def system_clip_values(pairs: np.ndarray, shared: np.ndarray, own_sd: float, rng: np.random.Generator) -> np.ndarray:
    """A system's pair scores: shared difficulty, the system's own clip strengths, pair noise."""
    own = rng.normal(0, own_sd, pairs.max() + 1)
    return shared + own[pairs[:, 0]] + own[pairs[:, 1]] + rng.normal(0, 1, len(pairs))


@pytest.mark.parametrize("own_sd", [0.0, 0.5])
def test_clip_bootstrap_test_keeps_the_nominal_rate_for_equally_good_systems(own_sd: float) -> None:
    rng = np.random.default_rng(3)
    pairs = acd_like_pairs(60, 5, rng)
    rejections, n_trials = 0, 300
    for trial in range(n_trials):
        shared = clip_effect_values(pairs, 1.0, rng)
        a = {"m": mean_result(system_clip_values(pairs, shared, own_sd, rng))}
        b = {"m": mean_result(system_clip_values(pairs, shared, own_sd, rng))}
        rejections += paired_test(a, b, n_resamples=199, seed=trial, clusters=pairs)["m"].p_value < 0.05
    assert 0.01 <= rejections / n_trials <= 0.09


def test_randomization_swaps_whole_clusters_and_so_keeps_the_nominal_rate() -> None:
    # Each system has its own cluster-level strengths: per-item swaps over-reject, cluster swaps do not.
    rng = np.random.default_rng(5)
    labels = np.repeat(np.arange(40), 5)
    rates = {}
    for clusters in (None, labels):
        rejections, n_trials = 0, 200
        for trial in range(n_trials):
            a = rng.normal(0, 0.7, 40)[labels] + rng.normal(0, 1, labels.size)
            b = rng.normal(0, 0.7, 40)[labels] + rng.normal(0, 1, labels.size)
            result = paired_test(
                {"m": mean_result(a)},
                {"m": mean_result(b)},
                test="randomization",
                n_resamples=199,
                seed=trial,
                clusters=clusters,
            )["m"]
            rejections += result.p_value < 0.05
        rates["items" if clusters is None else "clusters"] = rejections / n_trials
    assert "whole clusters swapped" in result.test
    assert rates["clusters"] <= 0.09 and rates["items"] > 0.15, rates


def test_holm_matches_a_hand_computed_example() -> None:
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> running max 0.02, 0.03, 0.06, 0.06
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_keeps_nan_and_single_p() -> None:
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    out = holm([0.01, np.nan, 0.02])
    assert out[0] == pytest.approx(0.02) and np.isnan(out[1]) and out[2] == pytest.approx(0.02)
    assert holm([0.03]) == pytest.approx([0.03])
    assert holm([]).shape == (0,)
