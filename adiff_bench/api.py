"""The Python API. The CLI only parses arguments and calls these functions."""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from adiff_bench.data.tasks import load_task, make_task_spec
from adiff_bench.errors import DataError
from adiff_bench.io_utils import atomic_write_json
from adiff_bench.models.base import Model
from adiff_bench.runs import store
from adiff_bench.runs.environment import environment
from adiff_bench.runs.rundir import RunDir
from adiff_bench.runs.runner import ProgressSink, RunOutcome, execute
from adiff_bench.runs.samples import SAMPLES_FILE, sample_rows, samples_path_for, write_samples
from adiff_bench.runs.scoring import ci_record, match_predictions, score_with, task_record
from adiff_bench.runs.spec import RunSpec, ScoringSpec, make_run_spec

__all__ = ["evaluate", "make_run_spec", "score_file"]  # make_run_spec: the checked spec, with its full signature


def evaluate(
    spec: RunSpec,
    output_dir: str | Path = "adiff-runs",
    *,
    overwrite: bool = False,
    model: Model | None = None,
    progress_factory: Callable[[int, str], ProgressSink] | None = None,
    rescore: bool = False,
    predict_only: bool = False,
    score_progress: bool = False,
) -> RunOutcome:
    """Run or resume one spec; pass ``model`` to evaluate an instance you built yourself.

    A finished run returns its stored scores unless ``rescore``; ``predict_only`` skips scoring."""
    return execute(
        spec,
        output_dir,
        overwrite=overwrite,
        model=model,
        progress_factory=progress_factory,
        rescore=rescore,
        predict_only=predict_only,
        score_progress=score_progress,
    )


def _score_outputs(path: Path, output: str | Path | None, run_dir: RunDir) -> tuple[Path, Path, Path]:
    """The report, its per-item sidecar and its samples; none may be an input or a file of the run folder."""
    target = Path(output) if output else path.with_name(path.stem + ".scores.json")
    sidecar = target.with_suffix(".npz") if target.suffix == ".json" else target.with_name(target.name + ".items.npz")
    samples = samples_path_for(target)
    protected = {path, run_dir.spec_path, run_dir.predictions_path, run_dir.results_path, run_dir.item_scores_path}
    protected = {p.resolve() for p in protected | {run_dir.path / SAMPLES_FILE}}
    for out in (target, sidecar, samples):
        if out.resolve() in protected:
            raise DataError(f"--output {target}: would overwrite {out}, an input or a run file; choose another path")
    return target, sidecar, samples


def score_file(
    predictions: str | Path,
    *,
    dataset: str | None = None,
    tier: int | None = None,
    split: str | None = None,
    data_dir: str | Path | None = None,
    metrics: Sequence[str] | str | None = None,
    ci: bool = True,
    n_resamples: int = 1000,
    seed: int = 0,
    output: str | Path | None = None,
) -> dict:
    """Re-score a predictions JSONL without loading a model. The task comes from the ``spec.json`` beside
    the file (a run directory) unless given explicitly."""
    scoring = ScoringSpec.make(metrics, ci, n_resamples)
    path = Path(predictions)
    if not path.is_file():
        raise DataError(f"{path}: no such predictions file")
    run_dir = RunDir(path.parent)
    saved = run_dir.spec if run_dir.has_spec() else None
    if dataset is None and saved is None:
        raise DataError(
            f"{path}: no {store.SPEC_FILE} beside it; pass --dataset and --tier to say which task it answers"
        )
    if dataset is not None:
        task_spec = make_task_spec(dataset, tier if tier is not None else 2, split)
    else:
        assert saved is not None
        task_spec = make_task_spec(saved.task.dataset, tier or saved.task.tier, split or saved.task.split)
    if data_dir is None and saved is not None:
        data_dir = saved.data_dir
    target, sidecar, samples = _score_outputs(path, output, run_dir)
    task = load_task(task_spec, data_dir)
    loaded = store.read_predictions(path)
    if loaded.truncated_tail:
        raise DataError(f"{path}: the last line is cut off; resume the run to redo that item, or delete the line")
    for record, line in zip(loaded.records, loaded.lines, strict=True):
        if record.task and record.task != task_spec.name:
            raise DataError(
                f"{path}:{line}: the prediction answers {record.task}, not {task_spec.name}; "
                "pass the --dataset/--tier/--split it was made for"
            )
    matched = match_predictions(task, loaded, path, allow_empty=False)
    notes = []
    if len(matched) < len(task.items):
        notes.append(
            f"PARTIAL COVERAGE: {path} answers {len(matched)} of the {len(task.items)} items of {task_spec.name}; "
            "its scores are not comparable with full-task scores"
        )
        warnings.warn(notes[-1], stacklevel=2)
    start = time.perf_counter()
    scores = score_with(matched, scoring, seed)
    record = {
        "predictions": str(path),
        "task": task_record(task, len(scores.item_ids)),
        "model": {"name": saved.model if saved else path.stem},
        "scores": scores.to_json(),
        "confidence_intervals": ci_record(scores, scoring, seed),
        "timing": {"scoring_seconds": round(time.perf_counter() - start, 3)},
        "command": sys.argv,
        "environment": environment(),
    }
    if notes:
        record["warnings"] = notes
    atomic_write_json(target, record)
    store.save_item_scores(sidecar, scores.item_ids, scores.results)
    write_samples(samples, sample_rows(matched, scores, {r.item_id: r for r in loaded.records}))
    record["written_to"] = str(target)
    return record
