"""What every metric returns: a corpus score, per-item scores, additive per-item sufficient
statistics with a named reducer (so bootstrap resampling never re-runs Java or a neural model), and
a signature string saying exactly how the number was computed.

A reducer maps summed statistics ``(..., k)`` to scores ``(...)``; the corpus score is
``reduce(stats.sum(0))``. For a plain mean, stats are ``[score, 1]`` per item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Reducer = Callable[[np.ndarray], np.ndarray]
_REDUCERS: dict[str, Reducer] = {}


def register_reducer(name: str) -> Callable[[Reducer], Reducer]:
    def wrap(fn: Reducer) -> Reducer:
        _REDUCERS[name] = fn
        return fn

    return wrap


def get_reducer(name: str) -> Reducer:
    if name not in _REDUCERS:
        # Reducers for the coco metrics live beside them; importing registers them.
        import adiff_bench.metrics.reducers  # noqa: F401
    return _REDUCERS[name]


@register_reducer("mean")
def reduce_mean(sums: np.ndarray) -> np.ndarray:
    """stats per item: [value, 1]."""
    sums = np.asarray(sums, dtype=np.float64)
    count = sums[..., 1]
    # A resample holding no item (possible when clips are resampled) has no mean: NaN, dropped by the CI.
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, sums[..., 0] / np.where(count > 0, count, 1.0), np.nan)


def mean_stats(values: np.ndarray) -> np.ndarray:
    """[value, 1] per item, laid out column by column: numpy then sums each column pairwise exactly as
    ``np.mean`` does, so ``reduce(stats.sum(0))`` is bit-identical to the mean of the values."""
    values = np.asarray(values, dtype=np.float64)
    return np.asfortranarray(np.stack([values, np.ones_like(values)], axis=1))


@dataclass(frozen=True)
class MetricResult:
    """One metric on one set of items. ``corpus is None`` means unavailable, with the reason."""

    name: str
    signature: str
    corpus: float | None
    per_item: np.ndarray | None = field(default=None, repr=False, compare=False)
    stats: np.ndarray | None = field(default=None, repr=False, compare=False)
    reducer: str | None = None
    unavailable: str | None = None

    @property
    def available(self) -> bool:
        return self.corpus is not None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "score": self.corpus,
            "signature": self.signature,
            "reducer": self.reducer,
            "unavailable": self.unavailable,
        }


def mean_result(name: str, signature: str, per_item: np.ndarray) -> MetricResult:
    """A metric whose corpus score is the mean of its per-item scores (0.0 on no items)."""
    per_item = np.asarray(per_item, dtype=np.float64)
    corpus = float(np.mean(per_item)) if len(per_item) else 0.0
    return MetricResult(name, signature, corpus, per_item, mean_stats(per_item), "mean")


def unavailable(name: str, signature: str, reason: str) -> MetricResult:
    return MetricResult(name=name, signature=signature, corpus=None, unavailable=reason)
