"""Compare scored runs: scores with CIs, deltas against a baseline with their CIs, Holm-adjusted paired
p-values; rendered as Markdown, LaTeX (booktabs) or JSON. Loading checks that the runs are comparable
(same task, same items, same metric signatures) and says exactly what differs when they are not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from adiff_bench.errors import AdiffBenchError, DataError
from adiff_bench.latex import latex_escape
from adiff_bench.metrics.base import MetricResult
from adiff_bench.runs.rundir import RunDir
from adiff_bench.runs.store import ITEM_SCORES_FILE, PREDICTIONS_FILE, SPEC_FILE
from adiff_bench.stats.bootstrap import Interval, bootstrap_intervals, describe, finite_or_none, resamplable
from adiff_bench.stats.clusters import default_clusters
from adiff_bench.stats.multiple import holm, marker, plan_resamples, significance_legend
from adiff_bench.stats.paired import PairedResult, paired_tests
from adiff_bench.stats.resampling import make_scheme

CLUSTER_CHOICES = ("auto", "clip", "none")
STARS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))
_STARS_RE = re.compile(r"(\*+)")


@dataclass(frozen=True, eq=False)
class RunData:
    """One scored run directory, as read from disk."""

    name: str
    path: Path
    task: str
    item_ids: tuple[str, ...]
    results: Mapping[str, MetricResult] = field(repr=False)
    clip_pairs: Mapping[str, tuple[str, str]] = field(repr=False)  # item id -> (audio1, audio2), where known


def load_run(path: Path | str) -> RunData:
    path = Path(path)
    if not path.is_dir():
        raise DataError(f"{path}: not a run directory (expected {SPEC_FILE} and {ITEM_SCORES_FILE} inside)")
    run_dir = RunDir(path)
    spec = run_dir.spec
    item_ids, results = run_dir.item_scores()
    if len(set(item_ids)) != len(item_ids):
        raise DataError(f"{run_dir.item_scores_path}: item ids repeat; re-score the run")
    clips = {r.item_id: (r.audio1, r.audio2) for r in run_dir.predictions().records if r.audio1 and r.audio2}
    return RunData(path.name, path, spec.task.name, tuple(item_ids), results, clips)


def _unique_names(runs: Sequence[RunData]) -> list[str]:
    for candidates in (
        [r.name for r in runs],
        [f"{r.path.parent.name}/{r.path.name}" for r in runs],  # <model>/<task>, as run directories are laid out
        [str(r.path) for r in runs],
    ):
        if len(set(candidates)) == len(candidates):
            return candidates
    return candidates


def _align(run: RunData, order: Sequence[str], reference: RunData) -> dict[str, MetricResult]:
    """The run's results with items in ``order``; a clear error when the item sets differ."""
    if set(run.item_ids) != set(order):
        only_run = sorted(set(run.item_ids) - set(order))
        only_ref = sorted(set(order) - set(run.item_ids))
        raise DataError(
            f"runs {reference.path} and {run.path} score different items "
            f"({len(only_ref)} only in the first, e.g. {only_ref[:2]}; {len(only_run)} only in the second, "
            f"e.g. {only_run[:2]}): compare runs made with the same task, --limit and seed"
        )
    position = {item: i for i, item in enumerate(run.item_ids)}
    index = np.array([position[item] for item in order], dtype=np.int64)
    return {
        name: replace(
            r,
            stats=np.asarray(r.stats)[index] if r.stats is not None else None,
            per_item=np.asarray(r.per_item)[index] if r.per_item is not None else None,
        )
        for name, r in run.results.items()
    }


def _choose_metrics(runs: Sequence[RunData], names: Sequence[str], wanted: Sequence[str] | None) -> tuple[list, list]:
    usable = [resamplable(r.results) for r in runs]
    notes: list[str] = []
    if wanted:
        for run, name, u in zip(runs, names, usable, strict=True):
            missing = [m for m in wanted if m not in u]
            if missing:
                have = ", ".join(u) or "none"
                raise DataError(f"run {name} ({run.path}) has no scores for {', '.join(missing)}; it has: {have}")
        metrics = list(wanted)
    else:
        metrics = [m for m in usable[0] if all(m in u for u in usable)]
        skipped = sorted({m for u in usable for m in u} - set(metrics))
        if skipped:
            notes.append(f"not in every run, left out: {', '.join(skipped)}")
    if not metrics:
        raise DataError("the runs share no scored metric: score them with the same metrics (`adiff-bench score`)")
    for metric in metrics:
        signatures = {u[metric].signature for u in usable}
        if len(signatures) > 1:
            detail = "; ".join(f"{n}: {u[metric].signature}" for n, u in zip(names, usable, strict=True))
            raise DataError(f"metric {metric!r} was computed differently ({detail}); re-score the runs alike")
    return metrics, notes


def _marker(p: float) -> str:
    return marker(p)


@dataclass(frozen=True)
class Delta:
    """A paired test with its Holm-adjusted p-value over the whole table."""

    test: PairedResult
    p_holm: float
    marker: str

    def to_json(self) -> dict:
        return {**self.test.to_json(), "p_holm": finite_or_none(self.p_holm), "marker": self.marker}


@dataclass(frozen=True, eq=False)
class Comparison:
    task: str
    n_items: int
    systems: tuple[str, ...]  # in the order given, baseline included
    paths: tuple[str, ...]
    baseline: str
    metrics: tuple[str, ...]
    scores: Mapping[str, Mapping[str, float]]  # system -> metric -> corpus score
    intervals: Mapping[str, Mapping[str, Interval]]  # system -> metric -> CI
    deltas: tuple[Delta, ...]
    test: str
    resampling: str  # the method string, says how items were resampled
    n_resamples: int
    seed: int
    level: float
    notes: tuple[str, ...] = ()

    def delta(self, system: str, metric: str) -> Delta:
        for d in self.deltas:
            if d.test.system == system and d.test.metric == metric:
                return d
        raise KeyError((system, metric))

    def legend(self) -> list[str]:
        pct = f"{self.level * 100:g}%"
        lines = [
            f"Task {self.task}, {self.n_items} items; baseline: {self.baseline}.",
            f"Intervals: {pct} CIs by {self.resampling}.",
            f"Tests: two-sided {self.deltas[0].test.test if self.deltas else self.test} vs the baseline, "
            f"p-values Holm-Bonferroni adjusted over {len(self.deltas)} comparisons; "
            + significance_legend(len(self.deltas), self.n_resamples),
        ]
        return lines + [f"Note: {n}" for n in self.notes]

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "n_items": self.n_items,
            "baseline": self.baseline,
            "systems": [
                {
                    "name": s,
                    "path": p,
                    "scores": {
                        m: {"score": finite_or_none(self.scores[s][m]), "ci": self.intervals[s][m].to_json()}
                        for m in self.metrics
                    },
                }
                for s, p in zip(self.systems, self.paths, strict=True)
            ],
            "metrics": list(self.metrics),
            "comparisons": [d.to_json() for d in self.deltas],
            "test": self.test,
            "resampling": self.resampling,
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "level": self.level,
            "multiple_comparisons": "holm",
            "notes": list(self.notes),
        }

    def _cells(self, digits: int) -> tuple[list[list[str]], list[list[str]]]:
        f = f"{{:.{digits}f}}"
        fs = f"{{:+.{digits}f}}"
        score_rows = []
        for s in self.systems:
            row = [s + (" (baseline)" if s == self.baseline else "")]
            for m in self.metrics:
                ci = self.intervals[s][m]
                mark = "" if s == self.baseline else self.delta(s, m).marker
                row.append(f"{f.format(self.scores[s][m])}{mark} [{f.format(ci.low)}, {f.format(ci.high)}]")
            score_rows.append(row)
        delta_rows = [
            [
                d.test.system,
                d.test.metric,
                fs.format(d.test.delta),
                f"[{fs.format(d.test.delta_ci.low)}, {fs.format(d.test.delta_ci.high)}]",
                f"{d.test.p_value:.4f}",
                f"{d.p_holm:.4f}",
                d.marker,
            ]
            for d in self.deltas
        ]
        return score_rows, delta_rows

    def to_markdown(self, digits: int = 4) -> str:
        score_rows, delta_rows = self._cells(digits)
        pct = f"{self.level * 100:g}% CI"

        def table(header: list[str], rows: list[list[str]]) -> list[str]:
            lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
            return lines + ["| " + " | ".join(r) + " |" for r in rows]

        out = table(["System", *(f"{m} [{pct}]" for m in self.metrics)], score_rows)
        if delta_rows:
            out += [""] + table(["System", "Metric", f"Δ vs {self.baseline}", pct, "p", "p (Holm)", ""], delta_rows)
        return "\n".join(out + [""] + self.legend()) + "\n"

    def to_latex(self, digits: int = 4) -> str:
        score_rows, delta_rows = self._cells(digits)
        pct = f"{self.level * 100:g}\\% CI"

        def row(cells: list[str]) -> str:
            escaped = [latex_escape(cells[0])] + [_STARS_RE.sub(r"$^{\1}$", latex_escape(c)) for c in cells[1:]]
            return " & ".join(escaped) + r" \\"

        out = [
            r"\begin{tabular}{l" + "c" * len(self.metrics) + "}",
            r"\toprule",
            row(["System", *self.metrics]),
            r"\midrule",
            *(row(r) for r in score_rows),
            r"\bottomrule",
            r"\end{tabular}",
        ]
        if delta_rows:
            out += [
                "",
                r"\begin{tabular}{llcccc}",
                r"\toprule",
                " & ".join(["System", "Metric", r"$\Delta$", pct, "$p$", r"$p_{\mathrm{Holm}}$"]) + r" \\",
                r"\midrule",
                *(row([*r[:5], r[5] + r[6]]) for r in delta_rows),
                r"\bottomrule",
                r"\end{tabular}",
            ]
        return "\n".join(out + [""] + ["% " + line for line in self.legend()]) + "\n"


def _clusters(cluster: str, order: Sequence[str], base: RunData) -> tuple[np.ndarray | None, list[str]]:
    if cluster not in CLUSTER_CHOICES:
        raise AdiffBenchError(f"unknown --cluster {cluster!r}: choose one of {', '.join(CLUSTER_CHOICES)}")
    if cluster == "none":
        return None, []
    known = all(item in base.clip_pairs for item in order)
    if not known:
        if cluster == "clip":
            raise DataError(
                f"{base.path / PREDICTIONS_FILE} lacks audio1/audio2 clip paths for some items, needed for "
                "--cluster clip; use --cluster none"
            )
        return None, ["clip paths unknown (predictions.jsonl lacks audio1/audio2): items resampled independently"]
    pairs = [base.clip_pairs[item] for item in order]
    clusters = default_clusters(pairs, cluster)
    if cluster == "clip":
        return clusters, []
    return clusters, [] if clusters is not None else ["no clip appears in two items: items resampled independently"]


def compare_runs(
    runs: Sequence[RunData],
    *,
    baseline: int = 0,
    metrics: Sequence[str] | None = None,
    n_resamples: int | None = None,
    seed: int = 0,
    test: str = "bootstrap",
    cluster: str = "auto",
    level: float = 0.95,
) -> Comparison:
    """Compare runs on their shared items; ``baseline`` indexes ``runs``. ``cluster='auto'`` resamples
    clips whenever clips repeat across items (ACD, CLD) and items otherwise; the choice is in the output.
    ``n_resamples=None``: 1000, raised for many comparisons (:func:`adiff_bench.stats.multiple.plan_resamples`)."""
    if len(runs) < 2:
        raise AdiffBenchError("compare needs at least two run directories")
    if not 0 <= baseline < len(runs):
        raise AdiffBenchError(f"baseline index {baseline} out of range for {len(runs)} runs")
    names = _unique_names(runs)
    if len(set(names)) != len(names):
        raise AdiffBenchError(f"the same run directory is given twice: {', '.join(names)}")
    base = runs[baseline]
    for run, name in zip(runs, names, strict=True):
        if run.task != base.task:
            raise DataError(
                f"runs {names[baseline]} and {name} are on different tasks ({base.task} vs {run.task}); "
                "compare runs of the same task"
            )
    order = list(base.item_ids)
    aligned = {name: _align(run, order, base) for run, name in zip(runs, names, strict=True)}
    chosen, notes = _choose_metrics(runs, names, metrics)
    clusters, cluster_notes = _clusters(cluster, order, base)
    plan = plan_resamples(n_resamples, len(chosen) * (len(runs) - 1))
    n_resamples = plan.n_resamples
    notes += [plan.note] if plan.note else []
    systems = {name: {m: aligned[name][m] for m in chosen} for name in [names[baseline], *names]}
    tests = paired_tests(
        systems,
        baseline=names[baseline],
        metrics=chosen,
        test=test,
        n_resamples=n_resamples,
        seed=seed,
        level=level,
        clusters=clusters,
    )
    # Per-system CIs: same seed and scheme as the paired resamples, so the very same resamples.
    intervals = {
        name: bootstrap_intervals(systems[name], n_resamples=n_resamples, seed=seed, level=level, clusters=clusters)
        for name in names
    }
    keys = list(tests)
    adjusted = holm([tests[k].p_value for k in keys])
    deltas = tuple(Delta(tests[k], float(p), _marker(float(p))) for k, p in zip(keys, adjusted, strict=True))
    scheme = make_scheme(len(order), clusters)
    return Comparison(
        task=base.task,
        n_items=len(order),
        systems=tuple(names),
        paths=tuple(str(r.path) for r in runs),
        baseline=names[baseline],
        metrics=tuple(chosen),
        scores={n: {m: float(systems[n][m].corpus) for m in chosen} for n in names},
        intervals=intervals,
        deltas=deltas,
        test=test,
        resampling=describe(n_resamples, seed, scheme),
        n_resamples=n_resamples,
        seed=seed,
        level=level,
        notes=tuple(notes + cluster_notes),
    )
