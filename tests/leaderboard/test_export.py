from __future__ import annotations

import json
from pathlib import Path

import pytest

from adiff_bench.data.tasks import make_task_spec
from adiff_bench.errors import DataError
from adiff_bench.leaderboard.bundle import read_bundle
from adiff_bench.leaderboard.export import export_runs
from adiff_bench.runs import store
from adiff_bench.runs.spec import RunSpec

from .helpers import N_ITEMS


def make_run(
    root: Path, dataset: str, tier: int, *, model: str = "constant", limit: int | None = None, finished: bool = True
) -> Path:
    """A run directory as `adiff-bench run` leaves it (spec.json, predictions.jsonl, results.json)."""
    task = make_task_spec(dataset, tier)
    spec = RunSpec(model=model, task=task, model_args=(("text", "hello"),), limit=limit)
    run_dir = root / model / task.name
    run_dir.mkdir(parents=True)
    (run_dir / store.SPEC_FILE).write_text(json.dumps({"spec": spec.to_json()}), encoding="utf-8")
    with store.PredictionWriter(run_dir / store.PREDICTIONS_FILE) as writer:
        writer.write_batch(
            store.PredictionRecord(f"{task.dataset}-{task.split}-{i:05d}", task.name, "p", f"answer {i}")
            for i in range(N_ITEMS)
        )
    if finished:
        (run_dir / store.RESULTS_FILE).write_text("{}", encoding="utf-8")
    return run_dir


def test_export_builds_a_bundle_from_runs(tmp_path: Path) -> None:
    runs = [make_run(tmp_path, "acd", 1), make_run(tmp_path, "cld", 2)]
    meta = tmp_path / "meta.yaml"
    meta.write_text("organisation: Lab\ndate: 2025-02-01\nparameters: 7B\n", encoding="utf-8")
    out = tmp_path / "bundle.json"
    bundle = export_runs(runs, out, meta, contact="me@example.org")
    again = read_bundle(out)
    assert again.meta == bundle.meta
    assert again.meta.name == "constant"  # the runs' model when no --name
    assert again.meta.organisation == "Lab" and again.meta.date == "2025-02-01" and again.meta.parameters == "7B"
    assert dict(again.meta.decoding) == {"text": "hello"}  # the model arguments of the runs
    assert [t.task.name for t in again.tiers] == ["acd-test-tier1", "cld-evaluation-tier2"]
    assert again.tiers[0].predictions[3] == ("acd-test-00003", "answer 3")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"limit": 5}, "--limit 5 run answers a subset"),
        ({"finished": False}, "did not finish"),
    ],
)
def test_export_refuses_partial_runs(tmp_path: Path, kwargs: dict, expected: str) -> None:
    run = make_run(tmp_path, "acd", 1, **kwargs)
    with pytest.raises(DataError, match=expected):
        export_runs([run], tmp_path / "b.json")
    assert not (tmp_path / "b.json").exists()


def test_export_refuses_two_runs_of_one_tier_and_mixed_models(tmp_path: Path) -> None:
    first = make_run(tmp_path / "a", "acd", 1)
    second = make_run(tmp_path / "b", "acd", 1)
    with pytest.raises(DataError, match="a second run for tier acd-test-tier1"):
        export_runs([first, second], tmp_path / "b.json")
    other = make_run(tmp_path / "c", "acd", 2, model="caption-oracle")
    with pytest.raises(DataError, match="several models"):
        export_runs([first, other], tmp_path / "b.json")
    export_runs([first, other], tmp_path / "b.json", name="combined")
    assert read_bundle(tmp_path / "b.json").meta.name == "combined"


def test_export_refuses_non_leaderboard_tasks_and_bad_meta(tmp_path: Path) -> None:
    run = make_run(tmp_path, "acd", 1)
    spec_path = run / store.SPEC_FILE
    payload = json.loads(spec_path.read_text())
    payload["spec"]["task"]["split"] = "val"
    spec_path.write_text(json.dumps(payload))
    with pytest.raises(DataError, match="acd-val-tier1 is not a leaderboard tier"):
        export_runs([run], tmp_path / "b.json")
    good = make_run(tmp_path / "x", "acd", 2)
    meta = tmp_path / "meta.yaml"
    meta.write_text("- not\n- a mapping\n", encoding="utf-8")
    with pytest.raises(DataError, match="must be a mapping"):
        export_runs([good], tmp_path / "b.json", meta)
