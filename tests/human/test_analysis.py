from __future__ import annotations

import math

import numpy as np

from adiff_bench.human.analysis import _correlate, analyze, bootstrap_means
from adiff_bench.human.ratings import KeyEntry, Rating, RatingSet
from adiff_bench.human.study import default_study

STUDY = default_study()
RATERS = ("r1", "r2", "r3", "r4", "r5")


def _study_data(quality: dict[str, float], n_items: int = 40, seed: int = 0, noise: float = 0.7):
    """A key and ratings where each system's ratings are quality + item effect + rater bias + noise."""
    rng = np.random.default_rng(seed)
    key = {}
    ratings = []
    item_effect = rng.normal(0, 0.5, size=n_items)
    bias = rng.normal(0, 0.3, size=len(RATERS))
    for i in range(n_items):
        for system, q in quality.items():
            bid = f"{system}-{i}"
            key[bid] = KeyEntry(bid, system, "acd-test-tier2", f"acd-test-{i:05d}", "")
            for r, rater in enumerate(RATERS):
                for criterion in STUDY.criterion_names:
                    value = q + item_effect[i] + bias[r] + rng.normal(0, noise)
                    ratings.append(Rating(rater, bid, criterion, int(np.clip(np.rint(value), 1, 5)), ""))
    return key, RatingSet(tuple(ratings), RATERS, (), dict.fromkeys(RATERS, 0), ())


def _pairs(report, criterion="correctness"):
    return {(p.system_a, p.system_b): p for p in report.pairs if p.criterion == criterion}


def test_a_planted_difference_is_detected() -> None:
    key, ratings = _study_data({"good": 3.8, "mid": 3.0, "same": 3.0})
    report, _ = analyze(STUDY, key, ratings, n_resamples=500, seed=0)
    scores = {(s.system, s.criterion): s for s in report.scores}
    assert scores[("good", "correctness")].ci_low > scores[("mid", "correctness")].ci_high
    friedman = {f.criterion: f for f in report.friedman}
    assert friedman["correctness"].p_value < 0.001 and friedman["correctness"].n_items == 40
    pairs = _pairs(report)
    assert pairs[("good", "mid")].p_holm < 0.01 and pairs[("good", "same")].p_holm < 0.01
    assert pairs[("good", "mid")].mean_difference > 0.5
    assert pairs[("mid", "same")].p_holm > 0.05  # the two systems of equal quality are not told apart
    assert all(p.p_holm >= p.p_value for p in report.pairs)
    assert len(report.pairs) == 3 * 3  # pairs × criteria, one Holm family


def test_identical_systems_show_no_difference() -> None:
    key, ratings = _study_data({"a": 3.0})
    twins = dict(key)
    copies = []
    for name in ("b", "c"):
        for bid, entry in key.items():
            twins[f"{name}{bid}"] = KeyEntry(f"{name}{bid}", name, entry.task, entry.item_id, "")
        copies += [Rating(r.rater, f"{name}{r.blinded_id}", r.criterion, r.score, "") for r in ratings.ratings]
    both = RatingSet(ratings.ratings + tuple(copies), RATERS, (), ratings.missing, ())
    report, _ = analyze(STUDY, twins, both, n_resamples=200, seed=0)
    assert all(p.p_value == 1.0 and p.mean_difference == 0.0 for p in report.pairs)
    assert all(f.p_value == 1.0 and f.statistic == 0.0 for f in report.friedman)
    means = {s.criterion: set() for s in report.scores}
    for s in report.scores:
        means[s.criterion].add((s.mean, s.ci_low, s.ci_high))
    assert all(len(v) == 1 for v in means.values())  # same draws for every system: identical CIs


def test_agreement_reflects_rater_noise() -> None:
    tight, _ = analyze(STUDY, *_study_data({"a": 2.0, "b": 4.0}, noise=0.2), n_resamples=50)
    loose, _ = analyze(STUDY, *_study_data({"a": 2.0, "b": 4.0}, noise=1.5), n_resamples=50)
    for a, b in zip(tight.agreement, loose.agreement, strict=True):
        assert a.alpha > 0.8 > b.alpha and a.n_units == 80 and a.n_raters == 5


def test_bootstrap_is_seeded_and_brackets_the_mean() -> None:
    means = np.random.default_rng(3).normal(3, 1, size=(30, 2))
    means[4, 1] = np.nan
    first = bootstrap_means(means, 300, seed=7)
    assert np.array_equal(first, bootstrap_means(means, 300, seed=7))
    assert not np.array_equal(first, bootstrap_means(means, 300, seed=8))
    assert np.allclose(first[:, 0], np.nanmean(means, axis=0))
    assert np.all(first[:, 1] < first[:, 0]) and np.all(first[:, 0] < first[:, 2])


def test_metric_correlations_at_item_and_system_level() -> None:
    quality = {"s1": 2.0, "s2": 2.8, "s3": 3.5, "s4": 4.2}
    key, ratings = _study_data(quality, n_items=30, noise=0.3)
    rng = np.random.default_rng(5)
    good = {(e.system, e.task, e.item_id): quality[e.system] + rng.normal(0, 0.3) for e in key.values()}
    flat = {k: 1.0 for k in good}
    report, _ = analyze(STUDY, key, ratings, {"good": good, "flat": flat}, n_resamples=50)
    rows = {(c.metric, c.criterion, c.level): c for c in report.correlations}
    item = rows[("good", "correctness", "item")]
    assert item.n == 120 and item.kendall_tau > 0.4 and item.spearman_rho > 0.5 and item.kendall_p < 1e-6
    system = rows[("good", "correctness", "system")]
    assert system.n == 4 and system.kendall_tau == 1.0 and system.spearman_rho == 1.0
    assert math.isclose(system.kendall_p, 2 / 24) and "exact" in system.note  # 2 of 4! orders are as extreme
    assert math.isnan(rows[("flat", "correctness", "item")].kendall_tau)
    assert rows[("flat", "correctness", "item")].note == "a constant variable"


def test_exact_p_values_match_enumeration_with_ties() -> None:
    from itertools import permutations

    from scipy.stats import kendalltau, spearmanr

    x = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    y = np.array([2.0, 1.0, 3.0, 3.0, 4.0])
    result = _correlate("c", "m", "system", x, y)
    taus = [kendalltau(x, y[list(p)]).statistic for p in permutations(range(5))]
    rhos = [spearmanr(x, y[list(p)]).statistic for p in permutations(range(5))]
    assert math.isclose(result.kendall_p, np.mean(np.abs(taus) >= abs(result.kendall_tau) - 1e-12))
    assert math.isclose(result.spearman_p, np.mean(np.abs(rhos) >= abs(result.spearman_rho) - 1e-12))


def test_latex_and_markdown_escape_system_names() -> None:
    from adiff_bench.human.render import render_report

    key, ratings = _study_data({"a_b&c%": 3.0, "x|y": 3.5}, n_items=6)
    report, _ = analyze(STUDY, key, ratings, n_resamples=20)
    latex = render_report(report, "latex")
    assert r"a\_b\&c\%" in latex and "a_b&c%" not in latex
    markdown = render_report(report, "md")
    assert r"x\|y" in markdown and "| x|y |" not in markdown


def test_bootstrap_means_are_exact_so_every_cpu_prints_the_same_digits() -> None:
    # Item means of integer ratings (thirds, sevenths, ...) summed exactly: each resampled mean is the
    # correctly rounded exact sum divided by the exact count, whatever BLAS kernel the machine has.
    from fractions import Fraction

    rng = np.random.default_rng(1)
    means = rng.integers(3, 36, size=(700, 2)) / rng.integers(1, 8, size=(700, 2))
    means[5, 0] = np.nan
    got = bootstrap_means(means, 200, seed=4)
    draws = np.random.default_rng(4).integers(0, 700, size=(200, 700))
    present = ~np.isnan(means)
    expected = np.empty((200, 2))
    for b, row in enumerate(draws):
        for s in range(2):
            total = sum((Fraction(float(means[i, s])) for i in row if present[i, s]), Fraction(0))
            expected[b, s] = float(total) / int(present[row, s].sum())
    low, high = np.percentile(expected, [2.5, 97.5], axis=0)
    assert got[:, 1].tolist() == low.tolist() and got[:, 2].tolist() == high.tolist()
    point = [float(sum((Fraction(float(v)) for v in means[present[:, s], s]), Fraction(0))) / present[:, s].sum()
             for s in range(2)]
    assert got[:, 0].tolist() == point
