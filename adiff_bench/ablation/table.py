"""The ablation table: one row per spec row, a column per task × metric, deltas vs the reference row with
their CIs, and Holm-adjusted paired significance markers (computed per task by ``compare_runs``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from adiff_bench.ablation.spec import AblationSpec
from adiff_bench.compare import Comparison, compare_runs, load_run
from adiff_bench.latex import latex_escape
from adiff_bench.stats.bootstrap import resamplable
from adiff_bench.stats.multiple import significance_legend, smallest_adjusted_p


@dataclass(frozen=True)
class AblationTable:
    name: str
    reference: str
    rows: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (task, metric)
    comparisons: Mapping[str, Comparison]  # task -> comparison of every row against the reference
    notes: tuple[str, ...] = ()

    def cell(self, row: str, task: str, metric: str) -> dict:
        comparison = self.comparisons[task]
        out = {
            "score": comparison.scores[row][metric],
            "ci": comparison.intervals[row][metric].to_json(),
        }
        if row != self.reference:
            delta = comparison.delta(row, metric)
            out |= {
                "delta": delta.test.delta,
                "delta_ci": delta.test.delta_ci.to_json(),
                "p_holm": delta.p_holm,
                "marker": delta.marker,
            }
        return out

    def best(self, task: str, metric: str) -> str:
        scores = self.comparisons[task].scores
        return max(self.rows, key=lambda row: scores[row][metric])

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "reference": self.reference,
            "rows": list(self.rows),
            "columns": [{"task": t, "metric": m} for t, m in self.columns],
            "cells": {row: {f"{t}/{m}": self.cell(row, t, m) for t, m in self.columns} for row in self.rows},
            "comparisons": {task: c.to_json() for task, c in self.comparisons.items()},
            "notes": list(self.notes),
        }

    def _text(self, row: str, task: str, metric: str, latex: bool) -> str:
        cell = self.cell(row, task, metric)
        score = f"{cell['score'] * 100:.2f}"
        if latex and self.best(task, metric) == row:
            score = f"\\textbf{{{score}}}"
        if row == self.reference:
            return score + (" (ref)" if not latex else " (ref)")
        sign = "+" if cell["delta"] >= 0 else ""
        marker = cell["marker"].replace("*", "$^*$" if latex else "\\*") if cell["marker"] else ""
        return f"{score} ({sign}{cell['delta'] * 100:.2f}){marker}"

    def legend(self) -> list[str]:
        first = next(iter(self.comparisons.values()))
        coarsest = max(self.comparisons.values(), key=lambda c: smallest_adjusted_p(len(c.deltas), c.n_resamples))
        return [
            f"Scores ×100; in brackets the difference to the reference row {self.reference!r}.",
            f"Significance: {first.test} paired test per task, Holm-adjusted over that task's comparisons; "
            + significance_legend(len(coarsest.deltas), coarsest.n_resamples),
            *(f"{task}: {c.resampling}" for task, c in self.comparisons.items()),
            *self.notes,
        ]

    def to_markdown(self) -> str:
        header = "| Row | " + " | ".join(f"{t} {m}" for t, m in self.columns) + " |"
        lines = [f"## Ablation: {self.name}", "", header, "|---|" + "---:|" * len(self.columns)]
        for row in self.rows:
            cells = [self._text(row, t, m, latex=False) for t, m in self.columns]
            lines.append(f"| {row} | " + " | ".join(cells) + " |")
        lines += ["", *(f"- {line}" for line in self.legend())]
        return "\n".join(lines) + "\n"

    def to_latex(self) -> str:
        lines = [
            r"\begin{table}[t]",
            r"\centering",
            r"\begin{tabular}{l" + "r" * len(self.columns) + "}",
            r"\toprule",
            "Row & " + " & ".join(f"{latex_escape(t)} {latex_escape(m)}" for t, m in self.columns) + r" \\",
            r"\midrule",
        ]
        for row in self.rows:
            cells = [self._text(row, t, m, latex=True) for t, m in self.columns]
            lines.append(latex_escape(row) + " & " + " & ".join(cells) + r" \\")
        caption = latex_escape(" ".join(self.legend()[:2]))
        lines += [
            r"\bottomrule",
            r"\end{tabular}",
            f"\\caption{{Ablation {latex_escape(self.name)}. {caption}}}",
            r"\end{table}",
        ]
        return "\n".join(lines) + "\n"


def build_table(spec: AblationSpec, run_dirs: Mapping[tuple[str, str], Path]) -> AblationTable:
    rows = tuple(row.name for row in spec.rows)
    reference_index = rows.index(spec.reference)
    comparisons: dict[str, Comparison] = {}
    columns: list[tuple[str, str]] = []
    notes: list[str] = []
    task_names = [s.task.name for s in spec.rows[0].specs]
    for task in task_names:
        runs = [replace(load_run(run_dirs[(row, task)]), name=row) for row in rows]
        usable = [resamplable(run.results) for run in runs]
        metrics = [m for m in spec.metrics if all(m in u for u in usable)]
        missing = [m for m in spec.metrics if m not in metrics]
        if missing:
            notes.append(f"{task}: not available in every row, left out: {', '.join(missing)}")
        comparisons[task] = compare_runs(
            runs, baseline=reference_index, metrics=metrics, n_resamples=spec.n_resamples, seed=spec.seed
        )
        columns += [(task, m) for m in metrics]
    return AblationTable(spec.name, spec.reference, rows, tuple(columns), comparisons, tuple(notes))
