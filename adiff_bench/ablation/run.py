"""Run every row of an ablation (reusing finished runs with the same fingerprint) and build its table."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.ablation.spec import AblationSpec
from adiff_bench.ablation.table import AblationTable, build_table
from adiff_bench.io_utils import atomic_write_json, atomic_write_text, inside
from adiff_bench.runs import store
from adiff_bench.runs.runner import ProgressSink, run_directory
from adiff_bench.runs.spec import RunSpec


@dataclass(frozen=True)
class RowRun:
    row: str
    task: str
    run_dir: Path
    reused: bool


def finished_run(spec: RunSpec, run_dir: Path) -> bool:
    """A run can be reused when its record has this spec's fingerprint, every item and every metric."""
    record_path = run_dir / store.RESULTS_FILE
    if not record_path.is_file() or not (run_dir / store.ITEM_SCORES_FILE).is_file():
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return (
        record.get("run_fingerprint") == spec.fingerprint()
        and record["task"]["items_scored"] == record["task"]["items_selected"]
        and set(spec.metrics) <= set(record.get("scores", {}))
    )


def run_ablation(
    spec: AblationSpec,
    output_dir: Path | str,
    *,
    progress_factory: Callable[[int, str], ProgressSink] | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> tuple[AblationTable, list[RowRun]]:
    from adiff_bench.api import evaluate

    output_dir = Path(output_dir)
    runs: list[RowRun] = []
    for row in spec.rows:
        for run_spec in row.specs:
            run_dir = run_directory(output_dir / "runs", run_spec)
            reused = finished_run(run_spec, run_dir)
            if not reused:
                log(f"running {row.name} on {run_spec.task.name}")
                evaluate(run_spec, output_dir / "runs", progress_factory=progress_factory)
            else:
                log(f"reusing {row.name} on {run_spec.task.name} ({run_dir})")
            runs.append(RowRun(row.name, run_spec.task.name, run_dir, reused))
    table = build_table(spec, {(r.row, r.task): r.run_dir for r in runs})
    write_outputs(spec, table, output_dir)
    return table, runs


def write_outputs(spec: AblationSpec, table: AblationTable, output_dir: Path) -> None:
    atomic_write_text(output_dir / "ablation.md", table.to_markdown())
    atomic_write_text(output_dir / "ablation.tex", table.to_latex())
    atomic_write_json(output_dir / "ablation.json", table.to_json())
    for row in spec.rows:  # the resolved spec of every row, beside the table, under the row's safe slug
        atomic_write_json(
            inside(output_dir, output_dir / "specs" / f"{row.slug}.json"),
            {"name": row.name, "description": row.description, "runs": [s.to_json() for s in row.specs]},
        )
