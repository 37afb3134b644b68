"""Scoring saved predictions against a task's references, with optional bootstrap CIs.

Scoring never loads a model: ``run`` calls it after generation and ``score`` on a saved file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from adiff_bench.data.tasks import Item, Task
from adiff_bench.errors import DataError
from adiff_bench.metrics.base import MetricResult
from adiff_bench.runs.spec import ScoringSpec
from adiff_bench.runs.store import LoadedPredictions

CLUSTERED_DATASETS = ("acd", "cld")  # the leaderboard's tiers, all with repeated clips


@dataclass(frozen=True)
class Scores:
    item_ids: tuple[str, ...]
    results: Mapping[str, MetricResult]
    intervals: Mapping[str, dict] = field(default_factory=dict)
    resampling: str | None = None

    def to_json(self) -> dict:
        out = {}
        for name, result in self.results.items():
            entry = result.to_json()
            if name in self.intervals:
                entry["ci"] = self.intervals[name]
            out[name] = entry
        return out


def task_record(task: Task, n_scored: int, **counts: int) -> dict:
    """The ``task`` block of a run or score record (``counts`` such as ``items_selected`` go before the last)."""
    return {
        **task.spec.to_json(),
        "name": task.spec.name,
        "csv": str(task.csv_path),
        "items_in_task": len(task.items),
        **counts,
        "items_scored": n_scored,
    }


def ci_record(scores: Scores, scoring: ScoringSpec, seed: int) -> dict | None:
    """How the confidence intervals of a record were made (None without intervals)."""
    if not scoring.ci:
        return None
    return {"method": scores.resampling, "n_resamples": scoring.n_resamples, "seed": seed, "level": 0.95}


def match_predictions(task: Task, loaded: LoadedPredictions, source: Path, allow_empty: bool) -> list[tuple[Item, str]]:
    """Pair each prediction with its item; duplicate/unknown ids and empty text are reported by line."""
    by_id = task.by_id()
    seen: set[str] = set()
    matched: list[tuple[Item, str]] = []
    lines = loaded.lines or tuple(range(1, len(loaded.records) + 1))
    for record, line in zip(loaded.records, lines, strict=True):
        if record.item_id in seen:
            raise DataError(f"{source}:{line}: duplicate id {record.item_id!r}; keep one prediction per item")
        item = by_id.get(record.item_id)
        if item is None:
            raise DataError(
                f"{source}:{line}: unknown id {record.item_id!r} for task {task.spec.name}; "
                "check --dataset/--split/--tier"
            )
        if not allow_empty and not record.prediction.strip():
            raise DataError(
                f"{source}:{line}: field 'prediction' is empty for id {record.item_id!r}; "
                "an empty explanation cannot be scored — regenerate it or remove the line"
            )
        seen.add(record.item_id)
        matched.append((item, record.prediction))
    order = {item.item_id: index for index, item in enumerate(task.items)}
    matched.sort(key=lambda pair: order[pair[0].item_id])
    return matched


def score_matched(
    matched: Sequence[tuple[Item, str]],
    metrics: Sequence[str] | None = None,
    *,
    ci: bool = False,
    n_resamples: int = 1000,
    seed: int = 0,
    cluster: str = "auto",
    progress: bool = False,
) -> Scores:
    from adiff_bench.metrics.suite import score_texts

    if not matched:
        raise DataError("nothing to score: no predictions match the task's items")
    items = [item for item, _ in matched]
    results = score_texts([p for _, p in matched], [item.reference for item in items], metrics, progress=progress)
    intervals: dict[str, dict] = {}
    resampling = None
    if ci:
        from adiff_bench.stats import bootstrap_intervals
        from adiff_bench.stats.clusters import default_clusters

        clusters = default_clusters([item.clips for item in items], cluster)
        found = bootstrap_intervals(
            {name: r for name, r in results.items() if r.available},
            n_resamples=n_resamples,
            seed=seed,
            clusters=clusters,
        )
        intervals = {name: interval.to_json() for name, interval in found.items()}
        resampling = next(iter(found.values())).method if found else None
    return Scores(tuple(item.item_id for item in items), results, intervals, resampling)


def score_with(matched: Sequence[tuple[Item, str]], scoring: ScoringSpec, seed: int, progress: bool = False) -> Scores:
    """Score as a run's ScoringSpec says."""
    return score_matched(
        matched,
        scoring.metrics or None,
        ci=scoring.ci,
        n_resamples=scoring.n_resamples,
        seed=seed,
        cluster=scoring.clusters,
        progress=progress,
    )
