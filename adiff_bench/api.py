"""The Python API. The CLI only parses arguments and calls these functions."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from adiff_bench.data.tasks import load_task, make_task_spec
from adiff_bench.errors import DataError
from adiff_bench.io_utils import atomic_write_json
from adiff_bench.models.base import Model
from adiff_bench.runs import store
from adiff_bench.runs.environment import environment
from adiff_bench.runs.runner import ProgressSink, RunOutcome, execute
from adiff_bench.runs.scoring import ci_record, match_predictions, score_matched, task_record
from adiff_bench.runs.spec import RunSpec


def make_run_spec(
    model: str,
    dataset: str = "acd",
    tier: int = 2,
    split: str | None = None,
    *,
    model_args: Mapping[str, str] | None = None,
    data_dir: str | Path | None = None,
    audio_root: str | Path | None = None,
    limit: int | None = None,
    seed: int = 0,
    batch_size: int = 8,
    crop: str = "fixed",
    on_bad_audio: str = "error",
    metrics: Sequence[str] | str | None = None,
    prompt: str | None = None,
) -> RunSpec:
    from adiff_bench.metrics.suite import resolve_metric_names

    if crop not in ("fixed", "random"):
        raise DataError(f"--crop must be 'fixed' or 'random', not {crop!r}")
    if on_bad_audio not in ("error", "skip"):
        raise DataError(f"--on-bad-audio must be 'error' or 'skip', not {on_bad_audio!r}")
    if batch_size < 1:
        raise DataError("--batch-size must be at least 1")
    return RunSpec(
        model=model,
        task=make_task_spec(dataset, tier, split),
        model_args=tuple(sorted((model_args or {}).items())),
        data_dir=str(data_dir) if data_dir is not None else None,
        audio_root=str(audio_root) if audio_root is not None else None,
        limit=limit,
        seed=seed,
        batch_size=batch_size,
        crop=crop,
        on_bad_audio=on_bad_audio,
        metrics=resolve_metric_names(metrics),
        prompt=prompt,
    )


def evaluate(
    spec: RunSpec,
    output_dir: str | Path = "adiff-runs",
    *,
    overwrite: bool = False,
    ci: bool = True,
    n_resamples: int = 1000,
    model: Model | None = None,
    progress_factory: Callable[[int, str], ProgressSink] | None = None,
) -> RunOutcome:
    """Run or resume one spec; pass ``model`` to evaluate an instance you built yourself."""
    return execute(
        spec,
        output_dir,
        overwrite=overwrite,
        ci=ci,
        n_resamples=n_resamples,
        model=model,
        progress_factory=progress_factory,
    )


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
    from adiff_bench.metrics.suite import resolve_metric_names

    path = Path(predictions)
    if not path.is_file():
        raise DataError(f"{path}: no such predictions file")
    saved = store.read_run_spec(path.parent) if (path.parent / store.SPEC_FILE).is_file() else None
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
    task = load_task(task_spec, data_dir)
    loaded = store.read_predictions(path)
    if loaded.truncated_tail:
        raise DataError(f"{path}: the last line is cut off; resume the run to redo that item, or delete the line")
    matched = match_predictions(task, loaded, path, allow_empty=False)
    start = time.perf_counter()
    scores = score_matched(matched, resolve_metric_names(metrics), ci=ci, n_resamples=n_resamples, seed=seed)
    record = {
        "predictions": str(path),
        "task": task_record(task, len(scores.item_ids)),
        "model": {"name": saved.model if saved else path.stem},
        "scores": scores.to_json(),
        "confidence_intervals": ci_record(scores, ci, n_resamples, seed),
        "timing": {"scoring_seconds": round(time.perf_counter() - start, 3)},
        "command": sys.argv,
        "environment": environment(),
    }
    target = Path(output) if output else path.with_name(path.stem + ".scores.json")
    atomic_write_json(target, record)
    store.save_item_scores(target.with_suffix(".npz"), scores.item_ids, scores.results)
    record["written_to"] = str(target)
    return record
