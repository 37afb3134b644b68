"""Inputs for the plot tests: hand-written rows, a real Comparison of in-memory runs and a real synth report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from adiff_bench.compare import Comparison, RunData, compare_runs
from adiff_bench.metrics.base import MetricResult, mean_stats

ODD = "<script>alert(1)</script>"
MATH = "$x^2$"


@pytest.fixture
def hand_rows() -> list[dict]:
    """Two metrics, three systems; one undefined row, one odd name, one mathtext name."""
    return [
        {"system": "alpha", "metric": "BLEU-4", "delta": 0.021, "ci_low": 0.004, "ci_high": 0.037,
         "p_adjusted": 0.012, "marker": "*"},
        {"system": ODD, "metric": "BLEU-4", "delta": -0.013, "ci_low": -0.031, "ci_high": 0.006,
         "p_adjusted": 0.41, "marker": ""},
        {"system": MATH, "metric": "BLEU-4", "delta": 0.002, "ci_low": -0.01, "ci_high": 0.015,
         "p_adjusted": 0.9, "marker": ""},
        {"system": "alpha", "metric": "CIDEr", "delta": 0.31, "ci_low": 0.12, "ci_high": 0.52,
         "p_adjusted": 0.0009, "marker": "***"},
        {"system": ODD, "metric": "CIDEr", "delta": None, "ci_low": None, "ci_high": None,
         "p_adjusted": None, "marker": ""},
        {"system": MATH, "metric": "CIDEr", "delta": -0.05, "ci_low": -0.2, "ci_high": 0.1,
         "p_adjusted": 0.7, "marker": ""},
    ]


def _run(name: str, values: np.ndarray, shift: float) -> RunData:
    ids = tuple(f"acd-test-{i:05d}" for i in range(len(values)))
    results = {}
    for metric, scale in (("score", 1.0), ("other", 0.5)):
        v = np.clip(values * scale + shift, 0.0, 1.0)
        results[metric] = MetricResult(metric, f"{metric}-v1", float(v.mean()), v, mean_stats(v), "mean")
    return RunData(name, Path(f"/nonexistent/{name}"), "acd-test", ids, results, {})


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    """Three runs of 40 items: a baseline, a clearly better run and one indistinguishable from the baseline."""
    rng = np.random.default_rng(0)
    base = rng.uniform(0.2, 0.6, size=40)
    noise = rng.normal(0.0, 0.01, size=40)
    runs = [_run("base", base, 0.0), _run("better", base + noise, 0.1), _run("same", base + noise, 0.0)]
    return compare_runs(runs, n_resamples=200, seed=0, cluster="none")
