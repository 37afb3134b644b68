"""Resampled sums are exact (hence the same bits on every CPU), unlike a BLAS ``weights @ values``."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from adiff_bench.errors import DataError
from adiff_bench.metrics.base import MetricResult, mean_stats
from adiff_bench.stats import bootstrap_intervals
from adiff_bench.stats.exact import column_sums, weighted_sums
from adiff_bench.stats.resampling import block_rngs, make_scheme, resampled_sums


def exact_rows(weights: np.ndarray, column: np.ndarray) -> list[Fraction]:
    values = [Fraction(float(v)) for v in column]
    return [sum((int(w) * v for w, v in zip(row, values, strict=True)), Fraction(0)) for row in weights]


def ulp_distance(a: float, b: float) -> float:
    return abs(a - b) / np.spacing(max(abs(a), abs(b), np.finfo(float).tiny))


def adversarial(n: int, rng: np.random.Generator) -> np.ndarray:
    """Columns on which a float matmul's result depends on its summation order."""
    big = rng.choice([1e16, -1e16, 3.0e15], n) * (rng.random(n) < 0.3)
    return np.stack(
        [
            rng.random(n) * rng.choice([-1.0, 1.0], n),  # ordinary floats of both signs: 2 limbs
            rng.integers(0, 40, n).astype(np.float64),  # counts: 1 limb
            big + rng.random(n) * 0.1,  # huge cancelling values plus small ones: 3+ limbs
            (rng.integers(1, 6, n) / rng.integers(1, 8, n)),  # item means of integer ratings
        ],
        axis=1,
    )


def test_resampled_sums_equal_the_exact_rational_sums() -> None:
    rng = np.random.default_rng(11)
    matrix = adversarial(300, rng)
    scheme = make_scheme(300)
    sums = resampled_sums(matrix, scheme, 40, seed=5)
    ((rows, generator),) = block_rngs(5, 0, 40)
    weights = scheme.weights(rows, generator)
    for j in range(matrix.shape[1]):
        exact = [float(x) for x in exact_rows(weights, matrix[:, j])]
        if j == 2:  # needs more than two limbs: within one unit in the last place
            assert max(ulp_distance(a, b) for a, b in zip(sums[:, j], exact, strict=True)) <= 1.0
        else:  # correctly rounded: bit for bit the exact sum
            assert sums[:, j].tolist() == exact


def test_sums_do_not_depend_on_item_order_layout_or_chunking() -> None:
    # A BLAS matmul changes its last bits (here many bits) when the same terms come in another order.
    rng = np.random.default_rng(3)
    matrix = adversarial(500, rng)
    weights = rng.integers(0, 4, size=(64, 500))
    reference = weighted_sums(weights, matrix)
    for order in (rng.permutation(500), np.arange(500)[::-1]):
        assert np.array_equal(weighted_sums(weights[:, order], matrix[order]), reference)
    assert np.array_equal(weighted_sums(np.asfortranarray(weights), np.asfortranarray(matrix)), reference)
    halves = weighted_sums(weights[:, :250], matrix[:250]), weighted_sums(weights[:, 250:], matrix[250:])
    assert np.allclose(halves[0] + halves[1], reference, rtol=1e-12, atol=1e-3)
    assert np.array_equal(np.concatenate([weighted_sums(weights[:32], matrix), weighted_sums(weights[32:], matrix)]),
                          reference)


def test_bootstrap_interval_is_identical_when_items_are_permuted_within_clusters() -> None:
    # Cluster weights follow the cluster, so permuting items (first item of each cluster kept in front)
    # resamples the very same multiset of values: the interval must come out bit-identical.
    rng = np.random.default_rng(8)
    n, k = 400, 40
    labels = np.r_[np.arange(k), rng.integers(0, k, n - k)]
    values = adversarial(n, rng)[:, 2] / 1e16
    order = np.r_[np.arange(k), k + rng.permutation(n - k)]
    result = MetricResult("m", "m", float(values.mean()), None, mean_stats(values), "mean")
    shuffled = MetricResult("m", "m", float(values.mean()), None, mean_stats(values[order]), "mean")
    a = bootstrap_intervals({"m": result}, n_resamples=300, seed=2, clusters=labels)["m"]
    b = bootstrap_intervals({"m": shuffled}, n_resamples=300, seed=2, clusters=labels[order])["m"]
    assert (a.low, a.high) == (b.low, b.high)


def test_column_sums_are_correctly_rounded_and_keep_non_finite_values() -> None:
    matrix = np.array([[1e16, np.inf, 1.0], [1.0, 1.0, np.nan], [-1e16, 2.0, 3.0]])
    sums = column_sums(matrix)
    assert sums[0] == 1.0 and sums[1] == np.inf and np.isnan(sums[2])
    weighted = weighted_sums(np.array([[1, 1, 1], [0, 2, 1]]), matrix)
    assert weighted[:, 0].tolist() == [1.0, -1e16 + 2.0] and weighted[0, 1] == np.inf
    assert np.isnan(weighted[:, 2]).all()


def test_non_integer_weights_are_refused() -> None:
    with pytest.raises(DataError, match="integer weights"):
        weighted_sums(np.array([[0.5, 1.0]]), np.ones((2, 1)))
