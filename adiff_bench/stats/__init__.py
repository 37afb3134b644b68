"""Uncertainty for corpus metrics: bootstrap CIs, paired tests, clip-clustered resampling, Holm correction.

Everything works on the additive per-item statistics of :class:`adiff_bench.metrics.base.MetricResult`,
so no resample ever re-runs a scorer.
"""

from adiff_bench.stats.bootstrap import Interval, bootstrap_intervals
from adiff_bench.stats.clusters import auto_clusters, clips_repeat, clusters_for_pairs
from adiff_bench.stats.multiple import holm
from adiff_bench.stats.paired import PairedResult, paired_test, paired_tests

__all__ = [
    "Interval",
    "PairedResult",
    "auto_clusters",
    "bootstrap_intervals",
    "clips_repeat",
    "clusters_for_pairs",
    "holm",
    "paired_test",
    "paired_tests",
]
