"""Run one model on several tasks with one model load and one per-clip cache.

Each task still gets its own run folder, exactly as a single ``run`` makes it, so resuming, ``score``,
``compare`` and the leaderboard work per task; a killed suite resumes task by task. The clips of a split
are shared by its three tiers (and ACD/CLD pairs reuse clips about ten times), so each clip is read,
resampled and — for a model with ``encode_clips`` such as ADIFF — encoded once for the whole suite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from adiff_bench.data.tasks import TaskSpec
from adiff_bench.models.base import Model
from adiff_bench.runs.runner import ProgressSink, RunOutcome, execute, load_run_task
from adiff_bench.runs.spec import RunSpec


def suite_specs(base: RunSpec, tasks: Sequence[TaskSpec]) -> list[RunSpec]:
    """``base`` (already validated) once per task."""
    return [replace(base, task=task) for task in tasks]


def run_suite(
    specs: Sequence[RunSpec],
    output_dir: Path | str = "adiff-runs",
    *,
    model: Model | None = None,
    overwrite: bool = False,
    progress_factory: Callable[[int, str], ProgressSink] | None = None,
    rescore: bool = False,
    predict_only: bool = False,
    score_progress: bool = False,
    on_task_done: Callable[[RunOutcome], None] | None = None,
) -> list[RunOutcome]:
    """Run (or resume) every spec with one model instance; all specs must name the same model and arguments."""
    from adiff_bench.models.registry import build_model
    from adiff_bench.runs.requests import ClipReuse

    if not specs:
        return []
    first = specs[0]
    for spec in specs[1:]:
        if (spec.model, spec.model_args) != (first.model, first.model_args):
            raise ValueError("a suite runs one model: every spec must name the same model and model arguments")
    for spec in specs:  # every task's CSV and audio root, before the model loads: a missing tier-3 file must
        load_run_task(spec)  # not surface after hours of tier-1 generation
    model = model or build_model(first.model, dict(first.model_args))
    reuse = ClipReuse.for_model(model)
    outcomes = []
    for spec in specs:
        outcome = execute(
            spec,
            output_dir,
            overwrite=overwrite,
            model=model,
            progress_factory=progress_factory,
            rescore=rescore,
            predict_only=predict_only,
            score_progress=score_progress,
            reuse=reuse,
        )
        outcomes.append(outcome)
        if on_task_done is not None:
            on_task_done(outcome)
    return outcomes
