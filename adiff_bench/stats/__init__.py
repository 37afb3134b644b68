"""Uncertainty for corpus metrics: bootstrap CIs, paired tests, clip-clustered resampling, Holm correction.

Everything works on the additive per-item statistics of :class:`adiff_bench.metrics.base.MetricResult`,
so no resample ever re-runs a scorer; the resampled sums are exact (:mod:`adiff_bench.stats.exact`), so a seed gives
the same digits on every CPU.
"""

from adiff_bench.stats.bootstrap import Interval, bootstrap_intervals
from adiff_bench.stats.clusters import auto_clusters, clips_repeat, clusters_for_pairs
from adiff_bench.stats.exact import column_sums, weighted_sums
from adiff_bench.stats.multiple import holm, plan_resamples, significance_legend
from adiff_bench.stats.paired import PairedResult, paired_test, paired_tests

__all__ = [
    "Interval",
    "PairedResult",
    "auto_clusters",
    "bootstrap_intervals",
    "clips_repeat",
    "clusters_for_pairs",
    "column_sums",
    "holm",
    "paired_test",
    "paired_tests",
    "plan_resamples",
    "significance_legend",
    "weighted_sums",
]
