"""Paired tests: planted effects found, exchangeable systems rejected at no more than the nominal rate,
approximate randomization agreeing with scipy's permutation test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from adiff_bench.errors import AdiffBenchError, DataError
from adiff_bench.metrics.base import MetricResult, mean_stats
from adiff_bench.stats import paired_test, paired_tests
from adiff_bench.stats.bootstrap import bootstrap_intervals
from adiff_bench.stats.paired import p_value


def mean_result(values: np.ndarray, name: str = "m") -> MetricResult:
    values = np.asarray(values, dtype=np.float64)
    return MetricResult(name, f"{name}-sig", float(values.mean()), values, mean_stats(values), "mean")


def systems_with_effect(n: int, effect: float, seed: int) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)
    difficulty = rng.normal(0, 1, n)  # shared by both systems: pairing matters
    a = difficulty + rng.normal(0, 0.5, n)
    b = difficulty + effect + rng.normal(0, 0.5, n)
    return {"m": mean_result(a)}, {"m": mean_result(b)}


@pytest.mark.parametrize("test", ["bootstrap", "randomization"])
def test_planted_effect_is_found(test: str) -> None:
    a, b = systems_with_effect(300, 0.2, seed=0)
    result = paired_test(a, b, test=test, n_resamples=1000, seed=0)["m"]
    assert result.delta == pytest.approx(b["m"].corpus - a["m"].corpus)
    assert result.p_value < 0.01
    assert result.delta_ci.low > 0 and result.delta_ci.low < result.delta < result.delta_ci.high
    # +1 correction: the smallest possible p-value is 1 / (n + 1)
    assert result.p_value >= 1 / 1001


@pytest.mark.parametrize("test", ["bootstrap", "randomization"])
def test_identical_systems_get_p_one_and_zero_delta(test: str) -> None:
    a, _ = systems_with_effect(100, 0.0, seed=1)
    result = paired_test(a, a, test=test, n_resamples=200)["m"]
    assert result.p_value == 1.0
    assert result.delta == 0.0 and result.delta_ci.low == 0.0 and result.delta_ci.high == 0.0


@pytest.mark.parametrize("test", ["bootstrap", "randomization"])
def test_exchangeable_systems_are_rejected_at_about_the_nominal_rate(test: str) -> None:
    n_trials, rejections = 300, 0
    for seed in range(n_trials):
        a, b = systems_with_effect(60, 0.0, seed=1000 + seed)
        rejections += paired_test(a, b, test=test, n_resamples=199, seed=seed)["m"].p_value < 0.05
    rate = rejections / n_trials
    # nominal 0.05; binomial sd over 300 trials is 0.0126: no more than ~3 sd above, and not vacuous
    assert 0.01 <= rate <= 0.09, rate


def test_randomization_agrees_with_scipy_paired_permutation_test() -> None:
    a, b = systems_with_effect(80, 0.12, seed=7)
    ours = paired_test(a, b, test="randomization", n_resamples=9999, seed=0)["m"].p_value
    x, y = a["m"].per_item, b["m"].per_item
    ref = sps.permutation_test(
        (x, y),
        lambda u, v, axis=-1: np.mean(u, axis=axis) - np.mean(v, axis=axis),
        permutation_type="samples",
        n_resamples=9999,
        rng=np.random.default_rng(1),
    ).pvalue
    assert 0.01 < ref < 0.5  # an informative case, not a trivially tiny or large p
    assert abs(ours - ref) < 0.03


def test_same_resamples_for_every_system_and_metric() -> None:
    a, b = systems_with_effect(120, 0.1, seed=2)
    both = paired_tests({"a": a, "b": b}, baseline="a", n_resamples=300, seed=4)
    # the delta CI comes from the same weights as each system's own CI: a constant shift moves both alike
    shifted = {"m": mean_result(a["m"].per_item + 1.0)}
    shift = paired_tests({"a": a, "s": shifted}, baseline="a", n_resamples=300, seed=4)[("s", "m")]
    assert shift.delta_ci.low == pytest.approx(1.0) and shift.delta_ci.high == pytest.approx(1.0)
    ci_b = bootstrap_intervals(b, n_resamples=300, seed=4)["m"]
    ci_b_again = bootstrap_intervals(b, n_resamples=300, seed=4)["m"]
    assert ci_b == ci_b_again and both[("b", "m")].delta_ci.method == ci_b.method


def test_several_systems_share_one_call() -> None:
    a, b = systems_with_effect(100, 0.3, seed=3)
    _, c = systems_with_effect(100, 0.0, seed=3)
    out = paired_tests({"a": a, "b": b, "c": c}, baseline="a", n_resamples=300)
    assert set(out) == {("b", "m"), ("c", "m")}
    assert out[("b", "m")].p_value < out[("c", "m")].p_value


def test_p_value_uses_plus_one_correction_and_ties() -> None:
    assert p_value(np.array([0.0, 1.0, 2.0, 3.0]), 2.0) == pytest.approx((2 + 1) / (4 + 1))
    assert p_value(np.zeros(9), 5.0) == pytest.approx(0.1)


def test_bad_arguments_are_clear_errors() -> None:
    a, b = systems_with_effect(10, 0.0, seed=0)
    with pytest.raises(AdiffBenchError, match="unknown test"):
        paired_test(a, b, test="t-test")
    with pytest.raises(AdiffBenchError, match="baseline 'z'"):
        paired_tests({"a": a, "b": b}, baseline="z")
    with pytest.raises(DataError, match="system 'a' has no resamplable statistics for metric 'bleu'"):
        paired_tests({"a": a, "b": b}, baseline="a", metrics=["bleu"])
