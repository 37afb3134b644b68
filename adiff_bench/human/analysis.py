"""The analysis of a rated study, as pure functions over a (rater, item, system) table per criterion.

Items are the unit of resampling and of the paired tests: each system's score on an item is the mean
of its raters' scores, so raters who rated only part of the study still count.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from adiff_bench.human.agreement import krippendorff_alpha
from adiff_bench.human.ratings import KeyEntry, RatingSet
from adiff_bench.human.study import Study
from adiff_bench.stats.exact import ExactSums

MetricValues = Mapping[str, Mapping[tuple[str, str, str], float]]  # metric -> (system, task, item) -> value


@dataclass(frozen=True)
class RatingTable:
    systems: tuple[str, ...]
    items: tuple[tuple[str, str], ...]  # (task, item id)
    raters: tuple[str, ...]
    criteria: tuple[str, ...]
    points: tuple[int, ...]
    scores: dict[str, np.ndarray] = field(repr=False)  # criterion -> (raters, items, systems), NaN = not rated
    unit_ids: np.ndarray = field(repr=False)  # (items, systems) blinded id, "" where the key has none

    def item_means(self, criterion: str) -> np.ndarray:
        """(items, systems) mean rating over the raters who rated the unit; NaN where nobody did."""
        data = self.scores[criterion]
        counts = (~np.isnan(data)).sum(axis=0)
        sums = np.nansum(data, axis=0)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def build_table(study: Study, key: Mapping[str, KeyEntry], ratings: RatingSet) -> RatingTable:
    systems = tuple(sorted({e.system for e in key.values()}))
    items = tuple(sorted({(e.task, e.item_id) for e in key.values()}))
    s_index = {s: i for i, s in enumerate(systems)}
    i_index = {it: i for i, it in enumerate(items)}
    r_index = {r: i for i, r in enumerate(ratings.raters)}
    unit_ids = np.full((len(items), len(systems)), "", dtype=object)
    for entry in key.values():
        unit_ids[i_index[(entry.task, entry.item_id)], s_index[entry.system]] = entry.blinded_id
    scores = {c: np.full((len(ratings.raters), len(items), len(systems)), np.nan) for c in study.criterion_names}
    for rating in ratings.ratings:
        entry = key[rating.blinded_id]
        scores[rating.criterion][r_index[rating.rater], i_index[(entry.task, entry.item_id)], s_index[entry.system]] = (
            rating.score
        )
    return RatingTable(systems, items, ratings.raters, study.criterion_names, study.points, scores, unit_ids)


@dataclass(frozen=True)
class SystemScore:
    criterion: str
    system: str
    mean: float
    ci_low: float
    ci_high: float
    n_items: int
    n_ratings: int
    alpha: float  # agreement among raters on this system's units
    distribution: tuple[int, ...]  # count of each scale point


@dataclass(frozen=True)
class Agreement:
    criterion: str
    alpha: float
    n_units: int
    n_raters: int


@dataclass(frozen=True)
class Friedman:
    criterion: str
    statistic: float
    p_value: float
    n_items: int
    note: str = ""


@dataclass(frozen=True)
class PairTest:
    criterion: str
    system_a: str
    system_b: str
    mean_difference: float  # a - b over the items both were rated on
    n_items: int
    statistic: float
    p_value: float
    p_holm: float


@dataclass(frozen=True)
class Correlation:
    criterion: str
    metric: str
    level: str  # "item" (every rated unit) or "system" (one point per system)
    n: int
    kendall_tau: float
    kendall_p: float
    spearman_rho: float
    spearman_p: float
    note: str = ""


@dataclass(frozen=True)
class HumanReport:
    study: str
    systems: tuple[str, ...]
    criteria: tuple[str, ...]
    raters: tuple[str, ...]
    n_items: int
    n_units: int
    n_ratings: int
    missing: dict[str, int]
    scores: tuple[SystemScore, ...]
    agreement: tuple[Agreement, ...]
    friedman: tuple[Friedman, ...]
    pairs: tuple[PairTest, ...]
    correlations: tuple[Correlation, ...]
    method: dict[str, str]

    def to_json(self) -> dict:
        from dataclasses import asdict

        def clean(value: object) -> object:
            if isinstance(value, float):
                return None if np.isnan(value) else round(value, 6)
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [clean(v) for v in value]
            return value

        return clean(asdict(self))  # type: ignore[return-value]


def bootstrap_means(means: np.ndarray, n_resamples: int, seed: int, level: float = 0.95) -> np.ndarray:
    """(systems, 3): mean over items and a percentile CI from resampling items (the same draws for
    every system, so the intervals are comparable); NaN items are skipped."""
    n_items = means.shape[0]
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_items, size=(n_resamples, n_items)) + (np.arange(n_resamples) * n_items)[:, None]
    weights = np.bincount(draws.ravel(), minlength=n_resamples * n_items).reshape(n_resamples, n_items)
    present = ~np.isnan(means)
    values = np.where(present, means, 0.0)
    # exact integer-weight sums: the same seed prints the same digits on every CPU (a BLAS matmul does not)
    sums = ExactSums(np.concatenate([values, present.astype(np.float64)], axis=1))
    k = means.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        totals = sums(np.ones((1, n_items), dtype=np.int64))[0]
        point = totals[:k] / totals[k:]
        resampled_sums = sums(weights)
        resampled = resampled_sums[:, :k] / resampled_sums[:, k:]
    tail = (1 - level) / 2 * 100
    low = np.nanpercentile(resampled, tail, axis=0) if n_items else np.full(means.shape[1], np.nan)
    high = np.nanpercentile(resampled, 100 - tail, axis=0) if n_items else np.full(means.shape[1], np.nan)
    return np.stack([point, low, high], axis=1)


def friedman_test(criterion: str, means: np.ndarray) -> Friedman:
    """Across all systems, on the items every system was rated on."""
    from scipy.stats import friedmanchisquare

    complete = means[~np.isnan(means).any(axis=1)]
    if means.shape[1] < 3:
        return Friedman(criterion, float("nan"), float("nan"), len(complete), "needs 3 or more systems")
    if len(complete) < 2:
        return Friedman(criterion, float("nan"), float("nan"), len(complete), "fewer than 2 items rated for all")
    if np.all(complete == complete[:, :1]):
        return Friedman(criterion, 0.0, 1.0, len(complete), "every item has the same score for all systems")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = friedmanchisquare(*complete.T)
    return Friedman(criterion, float(result.statistic), float(result.pvalue), len(complete))


def wilcoxon_pair(means_a: np.ndarray, means_b: np.ndarray) -> tuple[float, int, float, float]:
    """(mean difference, items, statistic, p) of a two-sided signed-rank test on paired item means."""
    from scipy.stats import wilcoxon

    both = ~np.isnan(means_a) & ~np.isnan(means_b)
    a, b = means_a[both], means_b[both]
    if len(a) == 0:
        return float("nan"), 0, float("nan"), float("nan")
    difference = float(np.mean(a - b))
    if np.all(a == b):
        return difference, len(a), 0.0, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = wilcoxon(a, b, zero_method="wilcox", alternative="two-sided")
    return difference, len(a), float(result.statistic), float(result.pvalue)


def _holm(p_values: list[float]) -> np.ndarray:
    try:
        from adiff_bench.stats.multiple import holm
    except ImportError:  # the shared helper is not in this checkout: the same step-down procedure
        p = np.asarray(p_values, dtype=np.float64)
        out = np.full(p.shape, np.nan)
        valid = np.flatnonzero(~np.isnan(p))
        order = valid[np.argsort(p[valid], kind="stable")]
        out[order] = np.minimum(np.maximum.accumulate(p[order] * (len(valid) - np.arange(len(valid)))), 1.0)
        return out
    return np.asarray(holm(p_values), dtype=np.float64)


def _correlate(criterion: str, metric: str, level: str, x: np.ndarray, y: np.ndarray) -> Correlation:
    from scipy.stats import kendalltau, spearmanr

    nan = float("nan")
    minimum = 3
    if len(x) < minimum:
        return Correlation(criterion, metric, level, len(x), nan, nan, nan, nan, f"needs {minimum} or more points")
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return Correlation(criterion, metric, level, len(x), nan, nan, nan, nan, "a constant variable")
    tau = float(kendalltau(x, y).statistic)
    rho = float(spearmanr(x, y).statistic)
    if len(x) <= EXACT_MAX_N:  # few points (systems): asymptotic p-values are badly wrong, enumerate instead
        tau_p, rho_p = _exact_p(x, y, tau, rho)
        note = "exact permutation p-values"
    else:
        tau_p, rho_p, note = float(kendalltau(x, y).pvalue), float(spearmanr(x, y).pvalue), ""
    return Correlation(criterion, metric, level, len(x), tau, tau_p, rho, rho_p, note)


EXACT_MAX_N = 7


def _exact_p(x: np.ndarray, y: np.ndarray, tau: float, rho: float) -> tuple[float, float]:
    """Two-sided p-values of tau-b and rho over all n! orderings of y (the null of no association),
    computed at once: both statistics are linear in the permuted y once ties are fixed."""
    from itertools import combinations, permutations

    from scipy.stats import rankdata

    n = len(x)
    orders = np.array(list(permutations(range(n))), dtype=np.int64)
    rx, ry = rankdata(x), rankdata(y)
    cx, cy = rx - rx.mean(), ry - ry.mean()
    rhos = (cy[orders] @ cx) / np.sqrt((cx**2).sum() * (cy**2).sum())
    i, j = np.array(list(combinations(range(n), 2))).T
    sx = np.sign(x[i] - x[j])
    sy = np.sign(y[orders][:, i] - y[orders][:, j])
    ties_x = np.count_nonzero(sx == 0)
    ties_y = np.count_nonzero(np.sign(y[i] - y[j]) == 0)
    pairs = len(i)
    taus = (sy @ sx) / np.sqrt((pairs - ties_x) * (pairs - ties_y))
    return float(np.mean(np.abs(taus) >= abs(tau) - 1e-12)), float(np.mean(np.abs(rhos) >= abs(rho) - 1e-12))


def metric_correlations(table: RatingTable, metrics: MetricValues) -> list[Correlation]:
    """Kendall tau-b and Spearman rho between each metric and the mean human rating, over rated units
    (item level) and over systems (means over the same units)."""
    out: list[Correlation] = []
    for criterion in table.criteria:
        human = table.item_means(criterion)
        for metric in sorted(metrics):
            values = metrics[metric]
            metric_grid = np.array(
                [[values.get((s, task, item), np.nan) for s in table.systems] for task, item in table.items],
                dtype=np.float64,
            ).reshape(human.shape)
            both = ~np.isnan(human) & ~np.isnan(metric_grid)
            out.append(_correlate(criterion, metric, "item", metric_grid[both], human[both]))
            per_system = [
                (metric_grid[both[:, s], s].mean(), human[both[:, s], s].mean())
                for s in range(len(table.systems))
                if both[:, s].any()
            ]
            xs = np.array([p[0] for p in per_system])
            ys = np.array([p[1] for p in per_system])
            out.append(_correlate(criterion, metric, "system", xs, ys))
    return out


def analyze(
    study: Study,
    key: Mapping[str, KeyEntry],
    ratings: RatingSet,
    metrics: MetricValues | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[HumanReport, RatingTable]:
    table = build_table(study, key, ratings)
    scores: list[SystemScore] = []
    agreement: list[Agreement] = []
    friedman: list[Friedman] = []
    pair_rows: list[tuple[str, str, str, float, int, float, float]] = []
    for criterion in study.criterion_names:
        data = table.scores[criterion]
        means = table.item_means(criterion)
        summary = bootstrap_means(means, n_resamples, seed)
        units = data.reshape(data.shape[0], -1)
        rated_units = units[:, ~np.isnan(units).all(axis=0)]
        agreement.append(
            Agreement(criterion, krippendorff_alpha(rated_units, study.points), rated_units.shape[1], data.shape[0])
        )
        for s, system in enumerate(table.systems):
            column = data[:, :, s]
            given = column[~np.isnan(column)].astype(int)
            scores.append(
                SystemScore(
                    criterion=criterion,
                    system=system,
                    mean=float(summary[s, 0]),
                    ci_low=float(summary[s, 1]),
                    ci_high=float(summary[s, 2]),
                    n_items=int((~np.isnan(means[:, s])).sum()),
                    n_ratings=int(given.size),
                    alpha=krippendorff_alpha(column, study.points),
                    distribution=tuple(int((given == p).sum()) for p in study.points),
                )
            )
        friedman.append(friedman_test(criterion, means))
        for a, b in combinations(range(len(table.systems)), 2):
            pair_rows.append((criterion, table.systems[a], table.systems[b], *wilcoxon_pair(means[:, a], means[:, b])))
    adjusted = _holm([row[-1] for row in pair_rows]) if pair_rows else np.array([])
    pairs = tuple(PairTest(*row, p_holm=float(p)) for row, p in zip(pair_rows, adjusted, strict=True))
    report = HumanReport(
        study=study.name,
        systems=table.systems,
        criteria=study.criterion_names,
        raters=table.raters,
        n_items=len(table.items),
        n_units=int((table.unit_ids != "").sum()),
        n_ratings=len(ratings.ratings),
        missing=dict(ratings.missing),
        scores=tuple(scores),
        agreement=tuple(agreement),
        friedman=tuple(friedman),
        pairs=pairs,
        correlations=tuple(metric_correlations(table, metrics)) if metrics else (),
        method={
            "item_score": "mean over the raters who rated the unit",
            "ci": f"95% percentile bootstrap over items, {n_resamples} resamples, seed {seed}",
            "agreement": "Krippendorff's alpha, ordinal, over all rated units (krippendorff package)",
            "friedman": "scipy.stats.friedmanchisquare on items rated for every system",
            "pairs": "two-sided Wilcoxon signed-rank on paired item means (zero differences dropped); "
            "Holm correction over all pairs and criteria together",
            "correlations": "Kendall tau-b and Spearman rho; item level: every rated unit; "
            "system level: per-system means over the same units",
        },
    )
    return report, table
