"""Bootstrap CIs against closed forms and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from adiff_bench.errors import AdiffBenchError, DataError
from adiff_bench.metrics.base import MetricResult, mean_stats, register_reducer
from adiff_bench.stats import bootstrap_intervals
from adiff_bench.stats.resampling import draw_counts, make_scheme


@register_reducer("test-ratio")
def _ratio(sums: np.ndarray) -> np.ndarray:
    return sums[..., 0] / sums[..., 1]


def mean_result(values: np.ndarray, name: str = "m") -> MetricResult:
    values = np.asarray(values, dtype=np.float64)
    return MetricResult(name, f"{name}-sig", float(values.mean()), values, mean_stats(values), "mean")


def ratio_result(a: np.ndarray, b: np.ndarray, name: str = "ratio") -> MetricResult:
    stats = np.stack([a, b], axis=1).astype(np.float64)
    return MetricResult(name, "ratio-sig", float(a.sum() / b.sum()), None, stats, "test-ratio")


def test_constant_metric_has_zero_width_interval() -> None:
    ci = bootstrap_intervals({"m": mean_result(np.full(50, 0.7))}, n_resamples=200)["m"]
    assert ci.low == pytest.approx(0.7) and ci.high == pytest.approx(0.7)


def test_two_valued_mean_matches_the_exact_binomial_bootstrap_distribution() -> None:
    # A resampled mean of n 0/1 values with k ones is exactly Binomial(n, k/n)/n.
    n, k = 100, 30
    values = np.r_[np.ones(k), np.zeros(n - k)]
    ci = bootstrap_intervals({"m": mean_result(values)}, n_resamples=4000, seed=3)["m"]
    exact_low = sps.binom.ppf(0.025, n, k / n) / n
    exact_high = sps.binom.ppf(0.975, n, k / n) / n
    assert abs(ci.low - exact_low) <= 0.011
    assert abs(ci.high - exact_high) <= 0.011
    assert ci.level == 0.95 and "percentile bootstrap, 4000 resamples, seed 3" in ci.method


def test_mean_interval_agrees_with_scipy_percentile_bootstrap() -> None:
    values = np.random.default_rng(0).normal(1.0, 2.0, size=300)
    ours = bootstrap_intervals({"m": mean_result(values)}, n_resamples=4000, seed=1)["m"]
    ref = sps.bootstrap(
        (values,), np.mean, n_resamples=4000, method="percentile", rng=np.random.default_rng(2)
    ).confidence_interval
    se = values.std(ddof=1) / np.sqrt(len(values))
    assert abs(ours.low - ref.low) < 0.3 * se
    assert abs(ours.high - ref.high) < 0.3 * se


def test_ratio_reducer_interval_agrees_with_scipy_paired_bootstrap() -> None:
    rng = np.random.default_rng(5)
    a = rng.poisson(3.0, size=200).astype(float)
    b = a + rng.poisson(4.0, size=200) + 1
    ours = bootstrap_intervals({"r": ratio_result(a, b)}, n_resamples=4000, seed=2)["r"]
    ref = sps.bootstrap(
        (a, b),
        lambda x, y, axis=-1: x.sum(axis) / y.sum(axis),
        paired=True,
        n_resamples=4000,
        method="percentile",
        rng=np.random.default_rng(9),
    )
    se = ref.standard_error
    assert abs(ours.low - ref.confidence_interval.low) < 0.3 * se
    assert abs(ours.high - ref.confidence_interval.high) < 0.3 * se


def test_every_metric_sees_the_same_resamples() -> None:
    values = np.random.default_rng(1).normal(size=80)
    out = bootstrap_intervals({"a": mean_result(values, "a"), "b": mean_result(values, "b")}, n_resamples=300)
    assert (out["a"].low, out["a"].high) == (out["b"].low, out["b"].high)


def test_seeded_and_reproducible() -> None:
    results = {"m": mean_result(np.random.default_rng(1).normal(size=80))}
    first = bootstrap_intervals(results, n_resamples=300, seed=7)["m"]
    assert first == bootstrap_intervals(results, n_resamples=300, seed=7)["m"]
    assert first != bootstrap_intervals(results, n_resamples=300, seed=8)["m"]


def test_level_changes_width_and_bad_level_is_refused() -> None:
    results = {"m": mean_result(np.random.default_rng(1).normal(size=80))}
    wide = bootstrap_intervals(results, n_resamples=500, level=0.99)["m"]
    narrow = bootstrap_intervals(results, n_resamples=500, level=0.5)["m"]
    assert wide.high - wide.low > narrow.high - narrow.low
    with pytest.raises(AdiffBenchError, match="between 0 and 1"):
        bootstrap_intervals(results, level=95)


def test_unavailable_metrics_get_no_interval() -> None:
    results = {
        "m": mean_result(np.arange(10.0)),
        "spice": MetricResult("spice", "spice-sig", None, unavailable="no java"),
    }
    assert set(bootstrap_intervals(results, n_resamples=50)) == {"m"}


def test_draw_counts_are_multinomial_counts() -> None:
    counts = draw_counts(30, 500, np.random.default_rng(0))
    assert counts.shape == (500, 30)
    assert (counts.sum(axis=1) == 30).all()
    # each count is Binomial(30, 1/30): mean 1, variance 29/30
    assert counts.mean() == pytest.approx(1.0)
    assert counts.var() == pytest.approx(29 / 30, rel=0.1)


def test_wrong_number_of_cluster_labels_is_one_clear_error() -> None:
    with pytest.raises(DataError, match="got 3 cluster labels for 4 items"):
        make_scheme(4, ["a", "b", "c"])
    with pytest.raises(DataError, match=r"shape \(n, 2\)"):
        make_scheme(2, np.zeros((2, 3)))


def test_interval_json_has_no_nan() -> None:
    from adiff_bench.stats.bootstrap import percentile_interval

    ci = percentile_interval(np.array([np.nan, np.nan]), 0.95, "x")
    assert ci.to_json()["low"] is None and "no finite resample" in ci.method


def test_real_reducers_reproduce_the_corpus_score_under_unit_weights() -> None:
    pytest.importorskip("adiff_bench.metrics.reducers")
    from adiff_bench.metrics.base import get_reducer
    from adiff_bench.stats.bootstrap import reduce_blocks

    rng = np.random.default_rng(0)
    testlen = rng.poisson(20, 50) + 4
    guesses = [testlen - k for k in range(4)]
    correct = [rng.binomial(g, 0.5**k) for k, g in enumerate(guesses, start=1)]
    stats = np.stack([*correct, *guesses, testlen, rng.poisson(22, 50) + 4], axis=1).astype(np.float64)
    result = MetricResult("bleu_4", "b", float(get_reducer("coco-bleu-4")(stats.sum(0))), None, stats, "coco-bleu-4")
    (scores,) = reduce_blocks(np.ones((3, 50)) @ stats, [result], [slice(0, stats.shape[1])])
    assert scores.tolist() == [result.corpus] * 3
    ci = bootstrap_intervals({"bleu_4": result}, n_resamples=300)["bleu_4"]
    assert ci.low < result.corpus < ci.high


def test_resamples_beyond_one_block_are_seeded_and_distinct() -> None:
    from adiff_bench.stats.resampling import BLOCK, resampled_sums

    scheme = make_scheme(20)
    matrix = np.eye(20)
    sums = resampled_sums(matrix, scheme, BLOCK + 7, seed=1)
    assert sums.shape == (BLOCK + 7, 20) and (sums.sum(axis=1) == 20).all()
    assert not np.array_equal(sums[:7], sums[BLOCK : BLOCK + 7])  # blocks are independent streams
    assert np.array_equal(sums, resampled_sums(matrix, scheme, BLOCK + 7, seed=1))
    assert np.array_equal(sums[:BLOCK], resampled_sums(matrix, scheme, BLOCK, seed=1))
