from __future__ import annotations

import json
from pathlib import Path

import pytest

from adiff_bench.cli.main import main
from adiff_bench.data.synth import ensure_synth, load_ground_truth
from adiff_bench.data.tasks import TaskSpec, load_task, make_task_spec
from adiff_bench.diagnostics import diagnose
from adiff_bench.errors import DataError
from adiff_bench.runs.spec import RunSpec
from adiff_bench.runs.store import PredictionRecord, PredictionWriter


@pytest.fixture(scope="module")
def synth10(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_synth(tmp_path_factory.mktemp("synth") / "s", seed=0, n_pairs=10)


def test_references_score_perfectly(synth10: Path) -> None:
    task = load_task(make_task_spec("synth", 3), data_dir=synth10)
    report = diagnose(task, {item.item_id: item.reference for item in task.items})
    assert report.n_items == 10 and report.n_identical == 1 and report.n_twins == 1
    assert report.no_difference_accuracy == 1.0 and report.swap_consistency == 1.0
    for score in report.attributes:
        assert score.precision in (1.0, None) and score.recall in (1.0, None)
    assert sum(s.n_true for s in report.attributes) > 0


def test_counts_for_hand_written_predictions(synth10: Path) -> None:
    task = load_task(make_task_spec("synth", 1), data_dir=synth10)
    truth = load_ground_truth(synth10)
    item = next(i for i in task.items if truth[i.item_id]["kind"] == "different")
    attribute, direction = next(iter(truth[item.item_id]["differences"].items()))
    wrong_clip = "Audio 1" if direction == "audio2_higher" else "Audio 2"
    words = {
        "loudness": "louder",
        "pitch": "higher-pitched",
        "brightness": "brighter",
        "tempo": "faster",
        "event_count": "busier",
        "noise": "noisier",
        "reverb": "more reverberant",
        "duration": "longer",
    }
    report = diagnose(task, {item.item_id: f"{wrong_clip} is {words[attribute]}."})
    score = next(s for s in report.attributes if s.attribute == attribute)
    assert (score.n_true, score.n_stated, score.n_correct, score.n_detected) == (1, 1, 0, 1)
    assert score.precision == 0.0 and score.recall == 0.0 and score.direction_accuracy == 0.0
    assert report.n_items == 1 and report.no_difference_accuracy is None
    markdown = report.to_markdown()
    assert f"| {attribute} | 1 | 1 | 0 | 0.0% | 0.0% | 0.0% |" in markdown
    assert json.loads(json.dumps(report.to_json()))["attributes"][attribute]["precision"] == 0.0


def test_refuses_other_datasets_and_foreign_predictions(synth10: Path) -> None:
    task = load_task(make_task_spec("synth", 1), data_dir=synth10)
    with pytest.raises(DataError, match="no predictions match"):
        diagnose(task, {"acd-test-00000": "x"})
    other = type(task)(TaskSpec("acd", "test", 1), task.csv_path, None, ())
    with pytest.raises(DataError, match="not a synth task"):
        diagnose(other, {})


def _run_dir(tmp_path: Path, synth10: Path, dataset: str = "synth") -> Path:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    spec = RunSpec(model="constant", task=TaskSpec(dataset, "test", 2), data_dir=str(synth10))
    (run_dir / "spec.json").write_text(json.dumps(spec.to_json()))
    task = load_task(spec.task, data_dir=synth10)
    with PredictionWriter(run_dir / "predictions.jsonl") as writer:
        writer.write_batch(PredictionRecord(i.item_id, task.spec.name, i.prompt, i.reference) for i in task.items)
    return run_dir


def test_cli_prints_markdown_and_json(tmp_path: Path, synth10: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = _run_dir(tmp_path, synth10)
    assert main(["diagnose", str(run_dir)]) == 0
    assert "## Synth diagnostic: synth-test-tier2 (10 items)" in capsys.readouterr().out
    out_file = tmp_path / "report.json"
    assert main(["diagnose", str(run_dir), "--format", "json", "--output", str(out_file)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identical_pairs"]["no_difference_accuracy"] == 1.0
    assert json.loads(out_file.read_text()) == data


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "spec.json not found" in err and len(err.strip().splitlines()) == 1
