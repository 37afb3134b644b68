"""Run every row of an ablation (reusing finished runs with the same fingerprint) and build its table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.ablation.spec import AblationSpec
from adiff_bench.ablation.table import AblationTable, build_table
from adiff_bench.io_utils import atomic_write_json, atomic_write_text, inside
from adiff_bench.runs.rundir import RunDir
from adiff_bench.runs.runner import ProgressSink, run_directory


@dataclass(frozen=True)
class RowRun:
    row: str
    task: str
    run_dir: Path
    reused: bool


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
            reused = RunDir(run_dir).is_finished(run_spec)
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
