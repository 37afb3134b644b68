"""What a study needs from a run directory: the system's name, its task, its outputs and per-item metrics."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adiff_bench.errors import DataError
from adiff_bench.runs import store
from adiff_bench.runs.rundir import RunDir


@dataclass(frozen=True)
class RunOutputs:
    path: Path
    system: str
    task: str
    records: dict[str, store.PredictionRecord]  # item id -> record


def run_identity(run_dir: Path | RunDir) -> tuple[str, str]:
    """The model name and task name, from results.json (complete runs) or spec.json (partial ones)."""
    folder = run_dir if isinstance(run_dir, RunDir) else RunDir(run_dir)
    record = folder.record()
    if record is not None:
        model, task = record.model.get("name"), record.task.get("name")
        if model and task:
            return str(model), str(task)
    if folder.has_spec():
        return folder.spec.model, folder.spec.task.name
    raise DataError(
        f"{run_dir}: not a run directory (no {store.RESULTS_FILE} or {store.SPEC_FILE}); pass a run's folder"
    )


def parse_run_arg(arg: Path | str) -> tuple[str | None, Path]:
    """``LABEL=RUN_DIR`` names the system LABEL (two runs of one model with different arguments need
    this); a bare ``RUN_DIR`` is named by its model."""
    text = str(arg)
    if "=" in text and not Path(text).exists():
        label, path = text.split("=", 1)
        if label.strip():
            return label.strip(), Path(path)
    return None, Path(text)


def load_run(arg: Path | str) -> RunOutputs:
    """A run folder, given as ``RUN_DIR`` or ``LABEL=RUN_DIR``."""
    label, run_dir = parse_run_arg(arg)
    if not run_dir.is_dir():
        raise DataError(f"{run_dir}: run directory not found")
    folder = RunDir(run_dir)
    system, task = run_identity(folder)
    system = label or system
    path = folder.predictions_path
    if not path.is_file():
        raise DataError(f"{path} not found: the run has no predictions yet; finish it with `adiff-bench run`")
    loaded = folder.predictions()
    records: dict[str, store.PredictionRecord] = {}
    for record, line in zip(loaded.records, loaded.lines, strict=True):
        if record.item_id in records:
            raise DataError(f"{path}:{line}: item {record.item_id!r} appears twice; keep one prediction per item")
        records[record.item_id] = record
    return RunOutputs(run_dir, system, task, records)


def load_metric_items(run_dir: Path | str | RunDir) -> dict[str, dict[str, float]]:
    """Per-item values of every metric of a scored run: metric -> item id -> value (metrics without
    per-item values, such as corpus-only ones, are left out)."""
    item_ids, results = (run_dir if isinstance(run_dir, RunDir) else RunDir(run_dir)).item_scores()
    out: dict[str, dict[str, float]] = {}
    for name, result in results.items():
        if result.per_item is None:
            continue
        values = np.asarray(result.per_item, dtype=np.float64)
        if values.ndim != 1 or len(values) != len(item_ids):
            continue
        out[name] = dict(zip(item_ids, values.tolist(), strict=True))
    return out
