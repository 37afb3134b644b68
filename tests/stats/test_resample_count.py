"""Holm with too few resamples: the floor m / (B + 1), the automatic raise and legends without impossible stars."""

from __future__ import annotations

import numpy as np

from adiff_bench.stats.multiple import (
    holm,
    marker,
    plan_resamples,
    resamples_needed,
    significance_legend,
    smallest_adjusted_p,
)
from tests.compare.conftest import write_run


def test_the_floor_is_what_holm_does_to_the_smallest_resampling_p() -> None:
    for m, b in ((1, 1000), (14, 1000), (51, 1000), (3, 99)):
        p = np.full(m, 1.0 / (b + 1))  # every comparison at the smallest p a resampling test can give
        assert holm(p).min() == min(1.0, smallest_adjusted_p(m, b))
    assert smallest_adjusted_p(51, 1000) > 0.05  # 51+ comparisons, default B: nothing can be significant


def test_plan_raises_the_default_and_keeps_a_chosen_number() -> None:
    assert resamples_needed(14) == 5600 and resamples_needed(1) == 400
    assert plan_resamples(None, 2).n_resamples == 1000 and plan_resamples(None, 2).note == ""
    raised = plan_resamples(None, 51)
    assert raised.n_resamples == 20400 and "raised from 1000 to 20400" in raised.note
    assert smallest_adjusted_p(51, raised.n_resamples) * 20 <= 0.05 + 1e-12
    assert plan_resamples(300, 51).n_resamples == 300


def test_legend_lists_only_markers_that_can_occur() -> None:
    two_by_seven = significance_legend(14, 1000)  # 2 runs x 7 metrics at B = 1000
    assert "* p<0.05" in two_by_seven and "**" not in two_by_seven and "14/1001 = 0.014" in two_by_seven
    assert "at least 5600 resamples (20 x 14 / 0.05) are needed" in two_by_seven
    none = significance_legend(51, 1000)
    assert "no marker can occur" in none and "*" not in none
    full = significance_legend(2, 100_000)
    assert "*** p<0.001" in full and "are needed" not in full
    assert "1/1001" not in significance_legend(4, 1000)  # the old, wrong claim for adjusted p
    assert marker(0.0009) == "***" and marker(0.04) == "*" and marker(0.05) == ""


def test_compare_raises_resamples_and_says_so(tmp_path) -> None:
    from adiff_bench.compare import compare_runs, load_run

    rng = np.random.default_rng(0)
    base = rng.random(60)
    runs = [write_run(tmp_path, f"sys{k}", base + 0.01 * k + 0.05 * rng.standard_normal(60)) for k in range(4)]
    comparison = compare_runs([load_run(p) for p in runs])  # 3 systems x 2 metrics = 6 comparisons
    assert len(comparison.deltas) == 6 and comparison.n_resamples == 2400
    assert any("raised from 1000 to 2400" in n for n in comparison.notes)
    legend = " ".join(comparison.legend())
    assert "6/2401" in legend and "1/2401" not in legend
    chosen = compare_runs([load_run(p) for p in runs], n_resamples=100)  # 6/101 > 0.05
    assert chosen.n_resamples == 100 and "no marker can occur" in " ".join(chosen.legend())
    assert all(d.marker == "" for d in chosen.deltas)
