"""Fake run directories and rating files for the human-study tests (no runner, no model)."""

from __future__ import annotations

import csv
import importlib.util
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from adiff_bench.data.tasks import TaskSpec

REPO = Path(__file__).resolve().parents[2]
ACD2 = TaskSpec("acd", "test", 2)
CLD2 = TaskSpec("cld", "evaluation", 2)


def simulation_module():
    """human_eval/simulate_ratings.py, imported by path (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("simulate_ratings", REPO / "human_eval" / "simulate_ratings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_run(
    root: Path,
    system: str,
    task: TaskSpec = ACD2,
    n_items: int = 12,
    text: str = "clip 2 is louder",
    metrics: Mapping[str, Mapping[str, float]] | None = None,
    audio: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    ids = [f"{task.dataset}-{task.split}-{k:05d}" for k in range(n_items)]
    predictions = {i: f"{text} ({i})" for i in ids}
    return simulation_module().write_run(root / system / task.name, system, task, predictions, metrics, audio=audio)


def ratings_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[str(c) for c in row] for row in rows])
    return buffer.getvalue()


def read_key(study_dir: Path) -> list[dict[str, str]]:
    with open(study_dir / "key.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
