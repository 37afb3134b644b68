"""The suite summary: rows are models, columns are dataset × tier × metric, each cell a score with its CI.

Built from finished run records (``results.json``), so ``run --tier all`` and ``report RUN_DIR...`` print the
same table. Numbers quoted from publications (``leaderboards/reported.json``) may sit beside ours, always in
rows marked "reported" and never mixed with re-scored numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from adiff_bench.errors import DataError
from adiff_bench.latex import latex_escape

DATASET_ORDER = ("acd", "cld", "synth")


@dataclass(frozen=True)
class Cell:
    score: float | None  # on the 0–1 scale of results.json; None when the metric was unavailable
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class SuiteRow:
    label: str
    reported: bool  # quoted from a publication, not computed here
    cells: Mapping[tuple[str, str], Cell]  # (task name, metric) -> cell
    source: str = ""


@dataclass(frozen=True)
class TaskColumn:
    name: str
    dataset: str
    tier: int


@dataclass(frozen=True)
class SuiteTable:
    tasks: tuple[TaskColumn, ...]
    metrics: tuple[str, ...]
    rows: tuple[SuiteRow, ...]
    notes: tuple[str, ...] = field(default=())

    def datasets(self) -> list[str]:
        """Datasets in the paper's order (ACD, CLD, then the rest), each once."""
        return list(dict.fromkeys(task.dataset for task in self.tasks))


def _task_order(task: TaskColumn) -> tuple[int, str, str, int]:
    rank = DATASET_ORDER.index(task.dataset) if task.dataset in DATASET_ORDER else len(DATASET_ORDER)
    return (rank, task.dataset, task.name.rsplit("-tier", 1)[0], task.tier)


def _cell(entry: Mapping) -> Cell:
    ci = entry.get("ci") or {}
    return Cell(entry.get("score"), ci.get("low"), ci.get("high"))


def build_suite_table(
    runs: Sequence[tuple[str, Mapping]],
    metrics: Sequence[str] | None = None,
    reported: Sequence[tuple[str, str, float, Mapping[str, Mapping[str, float]]]] = (),
) -> SuiteTable:
    """``runs`` are (row label, run record); ``reported`` are (name, source, scale, {metric: {task: value}}).

    Two records for the same label and task would make a cell ambiguous, so they are refused."""
    if not runs:
        raise DataError("no finished runs to summarise; pass run directories written by `adiff-bench run`")
    tasks: dict[str, TaskColumn] = {}
    rows: dict[str, dict[tuple[str, str], Cell]] = {}
    seen_metrics: list[str] = []
    for label, record in runs:
        task = record["task"]
        column = TaskColumn(str(task["name"]), str(task["dataset"]), int(task["tier"]))
        tasks.setdefault(column.name, column)
        cells = rows.setdefault(label, {})
        for metric, entry in record["scores"].items():
            if (column.name, metric) in cells:
                raise DataError(f"two runs of {label!r} on {column.name}; pass one run per model and task")
            cells[(column.name, metric)] = _cell(entry)
            if metric not in seen_metrics:
                seen_metrics.append(metric)
    if metrics is None:  # every metric that has a number somewhere
        chosen = tuple(
            m
            for m in seen_metrics
            if any(cell.score is not None for c in rows.values() for (_, mm), cell in c.items() if mm == m)
        )
    else:
        chosen = tuple(metrics)
    out_rows = [SuiteRow(label, False, cells) for label, cells in rows.items()]
    for name, source, scale, values in reported:
        cells = {
            (task, metric): Cell(value / scale)
            for metric, by_task in values.items()
            for task, value in by_task.items()
            if task in tasks and metric in chosen
        }
        if cells:
            out_rows.append(SuiteRow(name, True, cells, source))
    notes = ["Scores ×100 with 95% bootstrap CIs in brackets."]
    if any(row.reported for row in out_rows):
        notes.append(
            "Rows marked (reported) are quoted from publications, not computed here: "
            + "; ".join(f"{row.label}: {row.source}" for row in out_rows if row.reported)
        )
    ordered = tuple(sorted(tasks.values(), key=_task_order))
    return SuiteTable(ordered, chosen, tuple(out_rows), tuple(notes))


def suite_table_of(
    records: Sequence[Mapping],
    metrics: Sequence[str] | None = None,
    reported: Sequence[tuple[str, str, float, Mapping[str, Mapping[str, float]]]] = (),
) -> SuiteTable:
    """The table of run records, one row per model name."""
    return build_suite_table([(record["model"]["name"], record) for record in records], metrics, reported)


def _num(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value * 100:.2f}"


def _text(cell: Cell | None, with_ci: bool = True) -> str:
    if cell is None:
        return ""
    if cell.score is None:
        return "n/a"
    if with_ci and cell.low is not None and cell.high is not None:
        return f"{_num(cell.score)} [{_num(cell.low)}, {_num(cell.high)}]"
    return _num(cell.score)


def _label(row: SuiteRow) -> str:
    return f"{row.label} (reported)" if row.reported else row.label


def _tier_tag(task: TaskColumn) -> str:
    return f"{task.name.rsplit('-tier', 1)[0]} T{task.tier}"


def to_markdown(table: SuiteTable) -> str:
    def md(text: str) -> str:
        return text.replace("|", "\\|")

    out = []
    for dataset in table.datasets():
        tasks = [t for t in table.tasks if t.dataset == dataset]
        header = ["Model"] + [f"{_tier_tag(t)} {m}" for t in tasks for m in table.metrics]
        out.append("| " + " | ".join(md(h) for h in header) + " |")
        out.append("|---|" + "---:|" * (len(header) - 1))
        for row in table.rows:
            cells = [_text(row.cells.get((t.name, m))) for t in tasks for m in table.metrics]
            if any(cells):
                out.append("| " + " | ".join(md(x) for x in [_label(row), *cells]) + " |")
        out.append("")
    out += [f"- {md(note)}" for note in table.notes]
    return "\n".join(out) + "\n"


def to_latex(table: SuiteTable) -> str:
    columns = [(t, m) for t in table.tasks for m in table.metrics]
    lines = [
        r"\begin{table*}[t]",
        r"\centering",
        r"\resizebox{\linewidth}{!}{%",
        r"\begin{tabular}{l" + "r" * len(columns) + "}",
        r"\toprule",
    ]
    groups = " & ".join(
        f"\\multicolumn{{{len(table.metrics)}}}{{c}}{{{latex_escape(_tier_tag(t))}}}" for t in table.tasks
    )
    lines.append(f" & {groups} \\\\")
    lines.append("Model & " + " & ".join(latex_escape(m) for _, m in columns) + r" \\")
    lines.append(r"\midrule")
    for row in table.rows:
        cells = [_text(row.cells.get((t.name, m)), with_ci=False) for t, m in columns]
        label = latex_escape(_label(row))
        lines.append(f"{label} & " + " & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}}", f"\\caption{{{latex_escape(' '.join(table.notes))}}}", r"\end{table*}"]
    return "\n".join(lines) + "\n"


def to_json(table: SuiteTable) -> str:
    def cell(c: Cell) -> dict:
        return {"score": c.score, "ci_low": c.low, "ci_high": c.high}

    data = {
        "tasks": [{"name": t.name, "dataset": t.dataset, "tier": t.tier} for t in table.tasks],
        "metrics": list(table.metrics),
        "rows": [
            {
                "label": row.label,
                "reported": row.reported,
                **({"source": row.source} if row.reported else {}),
                "cells": {
                    task.name: {
                        m: cell(row.cells[(task.name, m)]) for m in table.metrics if (task.name, m) in row.cells
                    }
                    for task in table.tasks
                },
            }
            for row in table.rows
        ],
        "notes": list(table.notes),
    }
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def terminal_blocks(table: SuiteTable, width: int = 80) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) blocks for a narrow terminal: one block per task, metrics down, models across.

    Models are split over several blocks when one line would exceed ``width``."""
    cell_width, metric_width = 20, 10
    per_block = max(1, (width - metric_width - 4) // (cell_width + 3))
    blocks = []
    for task in table.tasks:
        rows = [row for row in table.rows if any((task.name, m) in row.cells for m in table.metrics)]
        for start in range(0, len(rows), per_block):
            chunk = rows[start : start + per_block]
            header = ["Metric", *(_label(r) for r in chunk)]
            body = [[m, *(_text(r.cells.get((task.name, m))) for r in chunk)] for m in table.metrics]
            blocks.append((task.name, header, body))
    return blocks


RENDERERS = {"md": to_markdown, "latex": to_latex, "json": to_json}
