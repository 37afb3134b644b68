"""Fake scored run directories, written with the store helpers (no runner, no model)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from adiff_bench.data.tasks import make_task_spec
from adiff_bench.io_utils import atomic_write_json
from adiff_bench.metrics.base import MetricResult, mean_stats, register_reducer
from adiff_bench.runs.spec import RunSpec
from adiff_bench.runs.store import (
    ITEM_SCORES_FILE,
    PREDICTIONS_FILE,
    SPEC_FILE,
    PredictionRecord,
    PredictionWriter,
    save_item_scores,
)


@register_reducer("test-compare-ratio")
def _ratio(sums: np.ndarray) -> np.ndarray:
    return sums[..., 0] / sums[..., 1]


def acd_like_clips(n_items: int, per_clip: int = 5, seed: int = 0) -> list[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    n_clips = max(2, n_items // per_clip)
    first = np.repeat(np.arange(n_clips), per_clip)[:n_items]
    second = (first + rng.integers(1, n_clips, size=n_items)) % n_clips
    return [(f"clips/c{a:04d}.wav", f"clips/c{b:04d}.wav") for a, b in zip(first, second, strict=True)]


def write_run(
    root: Path,
    name: str,
    values: np.ndarray,
    *,
    dataset: str = "acd",
    clips: Sequence[tuple[str, str]] | None = None,
    order: np.ndarray | None = None,
    signature: str = "mean-v1",
    extra: dict[str, MetricResult] | None = None,
) -> Path:
    """A run dir scoring ``values`` as metric "score" and a ratio metric, items optionally reordered."""
    n = len(values)
    spec = make_task_spec(dataset, 2)
    ids = [f"{spec.dataset}-{spec.split}-{i:05d}" for i in range(n)]
    order = np.arange(n) if order is None else np.asarray(order)
    values = np.asarray(values, dtype=np.float64)
    ratio = np.stack([values + 2.0, np.full(n, 3.0)], axis=1)
    results = {
        "score": MetricResult(
            "score", signature, float(values.mean()), values[order], mean_stats(values[order]), "mean"
        ),
        "ratio_metric": MetricResult(
            "ratio_metric",
            "ratio-v1",
            float(ratio[:, 0].sum() / ratio[:, 1].sum()),
            None,
            ratio[order],
            "test-compare-ratio",
        ),
        **(extra or {}),
    }
    run_dir = root / name
    run_dir.mkdir(parents=True)
    atomic_write_json(run_dir / SPEC_FILE, RunSpec(model=name, task=spec).to_json())
    with PredictionWriter(run_dir / PREDICTIONS_FILE) as writer:
        writer.write_batch(
            PredictionRecord(
                item_id=ids[i],
                task=spec.name,
                prompt="explain the difference in a sentence",
                prediction=f"prediction {i}",
                audio1=clips[i][0] if clips else None,
                audio2=clips[i][1] if clips else None,
            )
            for i in order
        )
    save_item_scores(run_dir / ITEM_SCORES_FILE, [ids[i] for i in order], results)
    return run_dir


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, values: np.ndarray, **kwargs: object) -> Path:
        return write_run(tmp_path, name, values, **kwargs)

    return make
