"""Multiple-comparison correction: several systems × metrics tested at once inflate false positives; and the
resample count that Holm needs (a resampling p-value cannot go below 1 / (B + 1))."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (step-down; controls the family-wise error rate).

    The i-th smallest p is multiplied by (m - i + 1), running maxima keep them monotone, capped at 1;
    results come back in the input order. NaN p-values (untested) stay NaN and do not count in m."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = len(valid)
    if m == 0:
        return out
    order = valid[np.argsort(p[valid], kind="stable")]
    scaled = p[order] * (m - np.arange(m))
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out


STARS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))
ALPHA = 0.05
RESOLUTION = 20  # resamples per comparison per unit of 1/alpha: the smallest adjusted p is then alpha / 20


def marker(p: float) -> str:
    """``***`` / ``**`` / ``*`` for an adjusted p below 0.001 / 0.01 / 0.05, else ``""``."""
    for threshold, stars in STARS:
        if p < threshold:
            return stars
    return ""


def smallest_adjusted_p(n_comparisons: int, n_resamples: int) -> float:
    """With p = (count + 1) / (B + 1) the smallest p is 1 / (B + 1), and Holm multiplies the smallest one by
    m: no Holm-adjusted p can fall below m / (B + 1)."""
    return min(1.0, max(n_comparisons, 1) / (n_resamples + 1))


def resamples_needed(n_comparisons: int, alpha: float = ALPHA) -> int:
    """Resamples for m Holm-adjusted comparisons to resolve p well below alpha: ceil(20 m / alpha)."""
    return math.ceil(RESOLUTION * max(n_comparisons, 1) / alpha - 1e-9)


@dataclass(frozen=True)
class ResamplePlan:
    n_resamples: int
    note: str  # "" when the requested number was enough


def plan_resamples(
    requested: int | None, n_comparisons: int, default: int = 1000, alpha: float = ALPHA
) -> ResamplePlan:
    """``None`` (not chosen by the user): at least ``default``, raised to :func:`resamples_needed` and said so.
    A number the user chose is kept (:func:`significance_legend` then says what it can resolve)."""
    needed = resamples_needed(n_comparisons, alpha)
    if requested is None:
        if default >= needed:
            return ResamplePlan(default, "")
        return ResamplePlan(
            needed,
            f"resamples raised from {default} to {needed} (20 x {n_comparisons} comparisons / alpha {alpha:g}) so "
            f"that Holm-adjusted p-values can fall below {alpha:g}",
        )
    return ResamplePlan(requested, "")  # the user's choice; significance_legend says what it can resolve


def significance_legend(n_comparisons: int, n_resamples: int) -> str:
    """The markers that can occur with this many comparisons and resamples, and the floor on adjusted p."""
    floor = smallest_adjusted_p(n_comparisons, n_resamples)
    reachable = [f"{stars} p<{threshold:g}" for threshold, stars in reversed(STARS) if floor < threshold]
    shown = ", ".join(reachable) if reachable else "no marker can occur (every adjusted p is at least 0.05)"
    needed = resamples_needed(n_comparisons)
    advice = (
        f"; at least {needed} resamples (20 x {n_comparisons} / 0.05) are needed to resolve p-values below 0.05"
        if n_resamples < needed
        else ""
    )
    return (
        f"{shown} (Holm-adjusted; with {n_comparisons} comparisons and {n_resamples} resamples the smallest "
        f"attainable adjusted p is {n_comparisons}/{n_resamples + 1} = {floor:.3g}{advice})."
    )
