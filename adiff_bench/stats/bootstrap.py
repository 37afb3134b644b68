"""Percentile bootstrap confidence intervals for corpus metrics, from their additive sufficient statistics.

Every metric (and, in comparisons, every system) is scored on the very same resamples: the weight matrix
is drawn once per seed and scheme and applied to all statistics together. Clip resamples are calibrated
to the dyadic-robust variance (see :mod:`adiff_bench.stats.resampling`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from adiff_bench.errors import AdiffBenchError, DataError
from adiff_bench.metrics.base import MetricResult, Reducer, get_reducer
from adiff_bench.stats.exact import column_sums
from adiff_bench.stats.resampling import REFERENCE_STREAM, Scheme, make_scheme, resampled_sums


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    level: float
    method: str

    def to_json(self) -> dict:
        return {
            "low": finite_or_none(self.low),
            "high": finite_or_none(self.high),
            "level": self.level,
            "method": self.method,
        }


def finite_or_none(value: float) -> float | None:
    """JSON has no NaN: an undefined number is written as null."""
    return float(value) if np.isfinite(value) else None


def check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise AdiffBenchError(f"confidence level must be between 0 and 1 (e.g. 0.95), got {level}")


def resamplable(results: Mapping[str, MetricResult]) -> dict[str, MetricResult]:
    """The metrics that carry statistics and a reducer; unavailable ones have no interval."""
    return {name: r for name, r in results.items() if r.available and r.stats is not None and r.reducer is not None}


def stats_matrix(results: Sequence[MetricResult], n_items: int) -> tuple[np.ndarray, list[slice]]:
    """Concatenate the ``(n, k)`` statistics of several metrics into one ``(n, K)`` matrix."""
    blocks, slices, start = [], [], 0
    for result in results:
        stats = np.asarray(result.stats, dtype=np.float64)
        if stats.ndim == 1:
            stats = stats[:, None]
        if stats.ndim != 2 or stats.shape[0] != n_items:
            raise DataError(
                f"metric {result.name!r}: statistics have shape {stats.shape}, expected ({n_items}, k); "
                "re-score the run"
            )
        blocks.append(stats)
        slices.append(slice(start, start + stats.shape[1]))
        start += stats.shape[1]
    return np.concatenate(blocks, axis=1), slices


def reducer_for(result: MetricResult) -> Reducer:
    try:
        return get_reducer(str(result.reducer))
    except KeyError:
        raise DataError(
            f"metric {result.name!r}: unknown reducer {result.reducer!r}; use the adiff-bench version that "
            "scored the run, or re-score it"
        ) from None


def reduce_blocks(sums: np.ndarray, results: Sequence[MetricResult], slices: Sequence[slice]) -> list[np.ndarray]:
    """Apply each metric's reducer to its columns of the summed statistics ``(B, K)``."""
    reducers = [reducer_for(r) for r in results]
    with np.errstate(divide="ignore", invalid="ignore"):
        return [np.asarray(f(sums[:, s]), dtype=np.float64) for f, s in zip(reducers, slices, strict=True)]


@dataclass(frozen=True, eq=False)
class Draws:
    """Resampled scores per metric, before any calibration."""

    samples: list[np.ndarray]  # (B,) per metric under the scheme
    reference: list[np.ndarray] | None  # (B,) per metric under item resampling, for clip calibration
    centers: list[float]  # the full-data score each metric's resamples scatter around


def draw(results: Sequence[MetricResult], scheme: Scheme, n_resamples: int, seed: int) -> Draws:
    """Blockwise exact products of the resample weights with all metrics' statistics, then each reducer."""
    if not results:
        return Draws([], None, [])
    matrix, slices = stats_matrix(results, scheme.n_items)
    samples = reduce_blocks(resampled_sums(matrix, scheme, n_resamples, seed), results, slices)
    centers = [float(c[0]) for c in reduce_blocks(column_sums(matrix)[None, :], results, slices)]
    if scheme.kind != "clips":
        return Draws(samples, None, centers)
    items = make_scheme(scheme.n_items)
    reference = reduce_blocks(resampled_sums(matrix, items, n_resamples, seed, REFERENCE_STREAM), results, slices)
    return Draws(samples, reference, centers)


def dyadic_rescale(samples: np.ndarray, reference: np.ndarray, center: float) -> np.ndarray:
    """Shrink clip-resample deviations to the dyadic-robust variance V_clip - 2 V_items, floored at V_items
    (see :mod:`adiff_bench.stats.resampling`)."""
    finite, finite_ref = samples[np.isfinite(samples)], reference[np.isfinite(reference)]
    if finite.size < 2 or finite_ref.size < 2 or not np.isfinite(center):
        return samples
    v_clip, v_items = float(np.var(finite)), float(np.var(finite_ref))
    if v_clip <= 0.0:
        return samples
    scale = min(1.0, float(np.sqrt(max(v_clip - 2.0 * v_items, v_items) / v_clip)))
    return center + scale * (samples - center)


def resampled_scores(results: Sequence[MetricResult], scheme: Scheme, n_resamples: int, seed: int) -> list[np.ndarray]:
    """``(B,)`` scores per metric on the seed's resamples (clip resamples calibrated)."""
    draws = draw(results, scheme, n_resamples, seed)
    if draws.reference is None:
        return draws.samples
    return [dyadic_rescale(*args) for args in zip(draws.samples, draws.reference, draws.centers, strict=True)]


def percentile_interval(samples: np.ndarray, level: float, method: str) -> Interval:
    """Percentile interval; resamples where a reducer is undefined (NaN) are left out."""
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return Interval(float("nan"), float("nan"), level, method + " (no finite resample)")
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    if finite.size < samples.size:
        method += f" ({samples.size - finite.size} undefined resamples dropped)"
    return Interval(float(low), float(high), level, method)


def describe(n_resamples: int, seed: int, scheme: Scheme) -> str:
    return f"percentile bootstrap, {n_resamples} resamples, seed {seed}; {scheme.method}"


def bootstrap_intervals(
    results: Mapping[str, MetricResult],
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    clusters: Sequence[Hashable] | np.ndarray | None = None,
) -> dict[str, Interval]:
    """A percentile CI for every metric that has statistics (others are left out of the answer).

    ``clusters``: ``None`` resamples items; one label per item resamples clusters; the ``(n, 2)`` clip codes
    from :func:`adiff_bench.stats.clusters.clusters_for_pairs` resample clips (the right choice for ACD/CLD).
    """
    check_level(level)
    usable = resamplable(results)
    if not usable:
        return {}
    n_items = len(np.asarray(next(iter(usable.values())).stats))
    scheme = make_scheme(n_items, clusters)
    names = list(usable)
    samples = resampled_scores([usable[n] for n in names], scheme, n_resamples, seed)
    method = describe(n_resamples, seed, scheme)
    return {name: percentile_interval(s, level, method) for name, s in zip(names, samples, strict=True)}
