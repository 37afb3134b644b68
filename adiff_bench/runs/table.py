"""Run folders as one pandas table: one row per item per run, one column per metric.

Rows come from a run's ``samples.jsonl`` when it is there and not older than its ``item_scores.npz``; runs
scored by earlier versions are read from ``predictions.jsonl`` + ``item_scores.npz`` (the reference is then
taken from the task CSV when it can be loaded, else left empty).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adiff_bench.errors import DataError
from adiff_bench.runs import store
from adiff_bench.runs.rundir import RunDir
from adiff_bench.runs.samples import SAMPLES_FILE

if TYPE_CHECKING:
    import pandas as pd

RUN_COLUMNS = ("model", "task", "dataset", "tier", "run_dir")
ITEM_COLUMNS = ("id", "prompt", "prediction", "reference", "audio1", "audio2")


def find_run_dirs(paths: Iterable[Path | str] | Path | str) -> list[RunDir]:
    """Each path is a run folder (it holds spec.json) or a folder holding run folders at any depth."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[RunDir] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if (path / store.SPEC_FILE).is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = sorted(spec.parent for spec in path.rglob(store.SPEC_FILE) if spec.is_file())
            if not candidates:
                raise DataError(f"{path}: no run folders in it (no {store.SPEC_FILE}); pass folders written by `run`")
        else:
            raise DataError(f"{path}: no such folder; pass run folders or a folder holding them")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(RunDir(candidate))
    return found


def _read_samples(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc}); re-score the run to rewrite it") from exc
            if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("scores", {}), dict):
                raise DataError(f"{path}:{number}: not a sample record (needs 'id' and a 'scores' object)")
            yield row


def _fallback_rows(run: RunDir) -> list[dict]:
    """Rows of a run without (an up-to-date) samples.jsonl."""
    item_ids, results = run.item_scores()
    records = {r.item_id: r for r in run.predictions().records}
    items: dict[str, Any] = {}
    try:
        from adiff_bench.data.tasks import load_task

        spec = run.spec
        items = load_task(spec.task, spec.data_dir, None).by_id()
    except (DataError, OSError):
        items = {}
    rows = []
    for index, item_id in enumerate(item_ids):
        record, item = records.get(item_id), items.get(item_id)
        rows.append(
            {
                "id": item_id,
                "prompt": record.prompt if record is not None else getattr(item, "prompt", None),
                "prediction": record.prediction if record is not None else None,
                "reference": getattr(item, "reference", None),
                "audio1": (record.audio1 if record is not None else None) or getattr(item, "audio1", None),
                "audio2": (record.audio2 if record is not None else None) or getattr(item, "audio2", None),
                "scores": {
                    name: None if r.per_item is None else float(r.per_item[index]) for name, r in results.items()
                },
            }
        )
    return rows


def run_rows(run: RunDir) -> list[dict]:
    """The flat rows of one scored run folder (metric names become keys beside the item fields)."""
    if not run.item_scores_path.is_file():
        raise DataError(f"{run.path}: not scored yet (no {store.ITEM_SCORES_FILE}); run `adiff-bench score` on it")
    spec = run.spec
    record = run.record()
    model = (record.model.get("name") if record is not None else None) or spec.model
    samples = run.path / SAMPLES_FILE
    fresh = samples.is_file() and samples.stat().st_mtime >= run.item_scores_path.stat().st_mtime
    source = _read_samples(samples) if fresh else _fallback_rows(run)
    base = {
        "model": model,
        "task": spec.task.name,
        "dataset": spec.task.dataset,
        "tier": spec.task.tier,
        "run_dir": str(run.path),
    }
    rows = []
    for sample in source:
        row = {**base, **{name: sample.get(name) for name in ITEM_COLUMNS}}
        for metric, value in sample.get("scores", {}).items():
            if metric in row:
                raise DataError(f"{samples}: metric name {metric!r} clashes with a column name")
            row[metric] = value
        rows.append(row)
    return rows


def load_runs(paths: Iterable[Path | str] | Path | str) -> pd.DataFrame:
    """One row per item per run: model, task, dataset, tier, run_dir, id, prompt, prediction, reference,
    audio1, audio2, then one float column per metric (NaN where a metric has no per-item value).

    ``paths``: run folders, or folders holding them (such as ``adiff-runs``). Unscored runs found inside a
    folder are skipped with a warning; an unscored run named directly is an error."""
    import pandas as pd

    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = list(paths)
    named = {Path(p).resolve() for p in paths if (Path(p) / store.SPEC_FILE).is_file()}
    rows: list[dict] = []
    metrics: dict[str, None] = {}
    for run in find_run_dirs(paths):
        if run.path.resolve() not in named and not run.item_scores_path.is_file():
            warnings.warn(f"{run.path}: not scored yet; skipped", stacklevel=2)
            continue
        for row in run_rows(run):
            rows.append(row)
            for key in row:
                if key not in RUN_COLUMNS and key not in ITEM_COLUMNS:
                    metrics.setdefault(key, None)
    columns = [*RUN_COLUMNS, *ITEM_COLUMNS, *metrics]
    frame = pd.DataFrame(rows, columns=columns)
    for metric in metrics:
        frame[metric] = pd.to_numeric(frame[metric], errors="coerce").astype("float64")
    return frame


EXPORT_FORMATS = (".csv", ".parquet")


def _parquet_engine() -> str | None:
    import importlib.util

    return next((name for name in ("pyarrow", "fastparquet") if importlib.util.find_spec(name) is not None), None)


def export_samples(paths: Iterable[Path | str] | Path | str, output: Path | str) -> tuple[Path, int]:
    """Write :func:`load_runs`'s table to ``output`` (``.csv``, or ``.parquet`` with pyarrow/fastparquet),
    atomically; returns the path and the number of rows. An output that is an input file is refused."""
    from adiff_bench.io_utils import atomic_write_bytes, atomic_write_text

    target = Path(output)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = list(paths)
    runs = find_run_dirs(paths)
    inputs = {Path(p).resolve() for p in paths}
    for run in runs:
        files = (store.SPEC_FILE, store.PREDICTIONS_FILE, store.RESULTS_FILE, store.ITEM_SCORES_FILE, SAMPLES_FILE)
        inputs |= {run.path.resolve(), *((run.path / name).resolve() for name in files)}
    if target.resolve() in inputs:
        raise DataError(f"--output {target}: is an input (a run folder or one of its files); choose another path")
    suffix = target.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise DataError(f"--output {target}: unknown format {suffix or '(none)'}; end the name in .csv or .parquet")
    engine = _parquet_engine() if suffix == ".parquet" else None
    if suffix == ".parquet" and engine is None:
        raise DataError(f"--output {target}: parquet needs pyarrow (`pip install pyarrow`); or write a .csv")
    frame = load_runs(paths)
    if suffix == ".csv":
        atomic_write_text(target, frame.to_csv(index=False))
    else:
        import io

        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False, engine=engine)
        atomic_write_bytes(target, buffer.getvalue())
    return target, len(frame)
