"""Paired significance tests between systems scored on the same items, in the manner of sacrebleu's
``significance.py``: one set of resample indices (or label swaps) shared by every system and metric, and
p = (count + 1) / (n + 1) so a test never claims more than its resamples can show.

Two deliberate departures from sacrebleu, both towards correctness:

* the paired bootstrap centres the *signed* resampled differences on their mean before taking absolute
  values (Koehn 2004's shift to the null); sacrebleu centres the absolute differences;
* a resample counts when its statistic is ``>=`` the observed one (sacrebleu: ``>``), so a system
  compared with itself gets p = 1 rather than p = 1 / (n + 1).

The effect size is the difference (system - baseline) with its percentile bootstrap CI, on the same
resamples (clip- or cluster-resampled, and calibrated, when ``clusters`` is given).

Which test under clip dependence: the paired bootstrap with clip resampling. Approximate randomization
assumes each item's two outputs can be swapped independently of every other item's; when a system has
its own clip-level strengths (it does well on some clips, whichever pair they are in), swapping single
items breaks that correlation and the test over-rejects badly even though the systems are equally good on
average (``benchmarks/stats_speed.py --calibration N`` measures it). With one label per item the swaps are
made per cluster, which is valid; with clip pairs no swap unit exists, so the per-item test is run and
its name in the result says it ignores the clip dependence.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from adiff_bench.errors import AdiffBenchError, DataError
from adiff_bench.metrics.base import MetricResult
from adiff_bench.stats.bootstrap import (
    Draws,
    Interval,
    check_level,
    describe,
    draw,
    dyadic_rescale,
    finite_or_none,
    percentile_interval,
    reduce_blocks,
    reducer_for,
    resamplable,
    stats_matrix,
)
from adiff_bench.stats.exact import column_sums
from adiff_bench.stats.resampling import Scheme, make_scheme, swapped_sums

TESTS = {"bootstrap": "paired bootstrap", "randomization": "approximate randomization"}


@dataclass(frozen=True)
class PairedResult:
    """One system against the baseline on one metric."""

    metric: str
    system: str
    baseline: str
    system_score: float
    baseline_score: float
    delta: float  # system - baseline
    delta_ci: Interval
    p_value: float  # two-sided, unadjusted
    test: str
    n_resamples: int

    def to_json(self) -> dict:
        return {
            "metric": self.metric,
            "system": self.system,
            "baseline": self.baseline,
            "system_score": finite_or_none(self.system_score),
            "baseline_score": finite_or_none(self.baseline_score),
            "delta": finite_or_none(self.delta),
            "delta_ci": self.delta_ci.to_json(),
            "p_value": finite_or_none(self.p_value),
            "test": self.test,
            "n_resamples": self.n_resamples,
        }


def p_value(null_stats: np.ndarray, observed: float) -> float:
    """(count of null statistics >= observed, + 1) / (n + 1); NaN statistics are left out."""
    null_stats = null_stats[np.isfinite(null_stats)]
    if not np.isfinite(observed) or null_stats.size == 0:
        return float("nan")
    threshold = observed - 1e-9 * max(abs(observed), 1e-12)  # ties from float round-off count as ties
    count = int(np.count_nonzero(null_stats >= threshold))
    return (count + 1) / (null_stats.size + 1)


def point_score(result: MetricResult) -> float:
    return float(result.corpus) if result.corpus is not None else float("nan")


def reduced_score(result: MetricResult) -> float:
    """The score the resamples are built around (equal to the corpus score up to float round-off)."""
    stats = np.asarray(result.stats, dtype=np.float64)
    totals = column_sums(stats.reshape(len(stats), -1)).reshape(stats.shape[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(reducer_for(result)(totals))


def _common_metrics(systems: Mapping[str, Mapping[str, MetricResult]], metrics: Sequence[str] | None) -> list[str]:
    """The requested metrics (each must be resamplable in every system), or all that are."""
    usable = {s: resamplable(results) for s, results in systems.items()}
    if metrics is None:
        first = next(iter(usable.values()))
        return [m for m in first if all(m in u for u in usable.values())]
    for system, results in usable.items():
        for metric in metrics:
            if metric not in results:
                raise DataError(f"system {system!r} has no resamplable statistics for metric {metric!r}")
    return list(metrics)


def _randomization_stats(
    base: list[MetricResult], others: list[list[MetricResult]], scheme: Scheme, n_resamples: int, seed: int
) -> list[list[np.ndarray]]:
    """|score(X) - score(Y)| for pseudo-systems X, Y made by swapping the two systems' items at random."""
    flat_base = [r for _ in others for r in base]
    flat_other = [r for rs in others for r in rs]
    base_matrix, slices = stats_matrix(flat_base, scheme.n_items)
    other_matrix, _ = stats_matrix(flat_other, scheme.n_items)
    units = scheme.codes if scheme.kind == "clusters" else None  # swap whole clusters when there are any
    moved = swapped_sums(base_matrix - other_matrix, n_resamples, seed, units)  # what swaps move base -> other
    x = reduce_blocks(column_sums(other_matrix) + moved, flat_other, slices)
    y = reduce_blocks(column_sums(base_matrix) - moved, flat_base, slices)
    diffs = [np.abs(a - b) for a, b in zip(x, y, strict=True)]
    per = len(base)
    return [diffs[i * per : (i + 1) * per] for i in range(len(others))]


def _delta_draws(draws: Draws, system: int, baseline: int) -> np.ndarray:
    """Resampled differences; under clip resampling calibrated on the difference itself."""
    delta = draws.samples[system] - draws.samples[baseline]
    if draws.reference is None:
        return delta
    reference = draws.reference[system] - draws.reference[baseline]
    return dyadic_rescale(delta, reference, draws.centers[system] - draws.centers[baseline])


def paired_tests(
    systems: Mapping[str, Mapping[str, MetricResult]],
    *,
    baseline: str,
    metrics: Sequence[str] | None = None,
    test: str = "bootstrap",
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    clusters: Sequence[Hashable] | np.ndarray | None = None,
) -> dict[tuple[str, str], PairedResult]:
    """Every system against ``baseline`` on every metric, keyed by (system, metric); unadjusted p-values
    (adjust the family with :func:`adiff_bench.stats.multiple.holm`). Items must be aligned already."""
    if test not in TESTS:
        raise AdiffBenchError(f"unknown test {test!r}: choose one of {', '.join(TESTS)}")
    if baseline not in systems:
        raise AdiffBenchError(f"baseline {baseline!r} is not one of the systems: {', '.join(systems)}")
    check_level(level)
    names = _common_metrics(systems, metrics)
    others = [s for s in systems if s != baseline]
    if not names or not others:
        return {}
    n_items = len(np.asarray(systems[baseline][names[0]].stats))
    scheme = make_scheme(n_items, clusters)
    order = [baseline, *others]
    flat = [systems[s][m] for s in order for m in names]
    draws = draw(flat, scheme, n_resamples, seed)
    position = {(s, m): i * len(names) + j for i, s in enumerate(order) for j, m in enumerate(names)}
    ci_method = describe(n_resamples, seed, scheme)
    if test == "randomization":
        base_results = [systems[baseline][m] for m in names]
        ar = _randomization_stats(
            base_results, [[systems[s][m] for m in names] for s in others], scheme, n_resamples, seed
        )
    test_name = TESTS[test]
    if test == "randomization" and scheme.kind == "clusters":
        test_name += " (whole clusters swapped)"
    elif test == "randomization" and scheme.kind == "clips":
        test_name += " (per-item swaps: ignores the clip dependence, may over-reject; prefer the bootstrap)"
    out: dict[tuple[str, str], PairedResult] = {}
    for i, system in enumerate(others):
        for j, metric in enumerate(names):
            base_score = point_score(systems[baseline][metric])
            sys_score = point_score(systems[system][metric])
            delta = sys_score - base_score
            # the exact full-data scores the resamples scatter around (== reduced_score of each result)
            observed = abs(draws.centers[position[(system, metric)]] - draws.centers[position[(baseline, metric)]])
            resampled_delta = _delta_draws(draws, position[(system, metric)], position[(baseline, metric)])
            if test == "bootstrap":
                finite = resampled_delta[np.isfinite(resampled_delta)]
                null = np.abs(finite - finite.mean()) if finite.size else finite
                p = p_value(null, observed)
            else:
                p = p_value(ar[i][j], observed)
            out[(system, metric)] = PairedResult(
                metric=metric,
                system=system,
                baseline=baseline,
                system_score=sys_score,
                baseline_score=base_score,
                delta=delta,
                delta_ci=percentile_interval(resampled_delta, level, ci_method),
                p_value=p,
                test=test_name,
                n_resamples=n_resamples,
            )
    return out


def paired_test(
    baseline: Mapping[str, MetricResult], system: Mapping[str, MetricResult], **options: object
) -> dict[str, PairedResult]:
    """One system against one baseline, keyed by metric; options as :func:`paired_tests`."""
    results = paired_tests({"baseline": baseline, "system": system}, baseline="baseline", **options)  # type: ignore[arg-type]
    return {metric: result for (_, metric), result in results.items()}
