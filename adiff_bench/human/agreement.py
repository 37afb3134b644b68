"""Inter-rater agreement: Krippendorff's alpha (ordinal), which handles missing ratings and any number
of raters, and says whether raters agree beyond what their pooled rating distribution gives by chance."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np


def krippendorff_alpha(data: np.ndarray, points: Sequence[int], level: str = "ordinal") -> float:
    """Alpha for a (raters, units) matrix with NaN for missing ratings; NaN when it is undefined (fewer
    than two raters on any unit, or no variation at all in the ratings)."""
    from adiff_bench.extras import require

    krippendorff = require("krippendorff", extra="human")
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 2:
        return float("nan")
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if not pairable.any():
        return float("nan")
    values = data[:, pairable]
    if np.unique(values[~np.isnan(values)]).size < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        alpha = krippendorff.alpha(reliability_data=values, value_domain=list(points), level_of_measurement=level)
    return float(alpha)
