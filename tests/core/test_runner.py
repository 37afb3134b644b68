import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adiff_bench.api import evaluate, make_run_spec, score_file
from adiff_bench.cli.main import main
from adiff_bench.errors import DataError
from adiff_bench.runs.store import read_predictions

from .helpers import write_task_csvs
from .plugin_models import EchoPrompt

REPO = Path(__file__).resolve().parents[2]
ECHO = "tests.core.plugin_models:EchoPrompt"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_task_csvs(tmp_path / "data")


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "adiff_bench", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_run_writes_predictions_and_a_complete_record(data_dir: Path, tmp_path: Path) -> None:
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, metrics="ROUGE-L", batch_size=4)
    outcome = evaluate(spec, tmp_path / "runs")
    record = json.loads((outcome.run_dir / "results.json").read_text())
    assert record["task"]["items_scored"] == 6 and outcome.generated == 6
    assert record["model"]["fingerprint"] and record["spec"]["model"] == "caption-oracle"
    assert record["scores"]["ROUGE-L"]["signature"].startswith("ROUGE-L")
    assert 0 < record["scores"]["ROUGE-L"]["score"] <= 1
    ci = record["scores"]["ROUGE-L"]["ci"]  # on by default; clip-clustered only when a clip repeats, as `compare`
    assert ci["low"] <= record["scores"]["ROUGE-L"]["score"] <= ci["high"]
    assert "items resampled" in record["confidence_intervals"]["method"]  # the six fixture pairs share no clip
    assert record["environment"]["packages"]["pycocoevalcap"]
    lines = (outcome.run_dir / "predictions.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert first["id"] == "acd-test-00000" and first["prompt"] == "explain the difference in tier 2"
    assert first["prediction"].startswith("The two audios differ")
    # running again resumes: nothing is generated twice
    again = evaluate(spec, tmp_path / "runs")
    assert again.generated == 0 and again.resumed == 6
    assert again.record["scores"]["ROUGE-L"]["score"] == record["scores"]["ROUGE-L"]["score"]


def test_kill_9_mid_run_then_resume_loses_and_duplicates_nothing(data_dir: Path, tmp_path: Path) -> None:
    args = [
        "run",
        "--model",
        ECHO,
        "--data-dir",
        str(data_dir),
        "--output-dir",
        str(tmp_path / "runs"),
        "--batch-size",
        "2",
        "--metrics",
        "ROUGE-L",
        "--quiet",
    ]
    killed = _cli(*args, env={"ECHO_DIE_AFTER": "2"})
    assert killed.returncode == -9
    (predictions,) = (tmp_path / "runs").glob("*/*/predictions.jsonl")
    before = predictions.read_text().splitlines()
    assert len(before) == 4
    resumed = _cli(*args, env={"ECHO_DIE_AFTER": "0"})
    assert resumed.returncode == 0, resumed.stderr
    after = predictions.read_text().splitlines()
    assert after[:4] == before
    ids = [json.loads(line)["id"] for line in after]
    assert sorted(ids) == [f"acd-test-0000{i}" for i in range(6)]


def test_torn_last_line_is_redone_with_a_warning(data_dir: Path, tmp_path: Path) -> None:
    spec = make_run_spec(ECHO, "acd", 2, data_dir=data_dir, metrics="ROUGE-L")
    outcome = evaluate(spec, tmp_path / "runs")
    path = outcome.run_dir / "predictions.jsonl"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 25])  # cut into the last record
    with pytest.warns(UserWarning, match="last line was cut off"):
        again = evaluate(spec, tmp_path / "runs")
    assert again.generated == 1
    assert len(read_predictions(path).records) == 6


def test_directory_of_another_run_is_refused(data_dir: Path, tmp_path: Path) -> None:
    spec = make_run_spec(ECHO, "acd", 2, data_dir=data_dir, metrics="ROUGE-L")
    outcome = evaluate(spec, tmp_path / "runs", model=EchoPrompt(suffix="a"))
    with pytest.raises(DataError, match="holds a run of other model weights"):
        evaluate(spec, tmp_path / "runs", model=EchoPrompt(suffix="b"))
    saved = json.loads((outcome.run_dir / "spec.json").read_text())
    saved["generation_key"]["task"]["tier"] = 3
    (outcome.run_dir / "spec.json").write_text(json.dumps(saved))
    with pytest.raises(DataError, match="holds a run of model"):
        evaluate(spec, tmp_path / "runs", model=EchoPrompt(suffix="a"))
    rerun = evaluate(spec, tmp_path / "runs", model=EchoPrompt(suffix="a"), overwrite=True)
    assert rerun.generated == 6


def test_empty_model_output_is_recorded_and_an_empty_line_in_a_file_is_refused(data_dir: Path, tmp_path: Path) -> None:
    spec = make_run_spec(
        ECHO, "acd", 2, data_dir=data_dir, metrics="ROUGE-L", model_args={"empty_for": "acd-test-00002"}
    )
    with pytest.warns(UserWarning, match="1 empty prediction"):
        outcome = evaluate(spec, tmp_path / "runs")
    assert outcome.record["empty_predictions"] == ["acd-test-00002"]
    with pytest.raises(DataError, match=r"predictions.jsonl:3: field 'prediction' is empty for id 'acd-test-00002'"):
        score_file(outcome.run_dir / "predictions.jsonl")


def test_score_reproduces_the_run_and_rejects_duplicates_and_unknown_ids(data_dir: Path, tmp_path: Path) -> None:
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, metrics="ROUGE-L")
    outcome = evaluate(spec, tmp_path / "runs")
    rescored = score_file(outcome.run_dir / "predictions.jsonl", metrics="ROUGE-L")
    assert rescored["scores"]["ROUGE-L"]["score"] == outcome.record["scores"]["ROUGE-L"]["score"]
    lines = (outcome.run_dir / "predictions.jsonl").read_text().splitlines()
    dup = tmp_path / "dup.jsonl"
    dup.write_text("\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(DataError, match=r"dup.jsonl:7: duplicate id 'acd-test-00001'"):
        score_file(dup, dataset="acd", tier=2, data_dir=data_dir)
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text(lines[0].replace("acd-test-00000", "acd-test-99999") + "\n")
    with pytest.raises(DataError, match=r"unknown.jsonl:1: unknown id 'acd-test-99999'"):
        score_file(unknown, dataset="acd", tier=2, data_dir=data_dir)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--model", "constnat"], "unknown model 'constnat'. Did you mean 'constant'"),
        (["run", "--model", "constant", "--dataset", "xyz"], "unknown dataset 'xyz'"),
        (["run", "--model", "constant", "--tier", "5"], "unknown tier"),
        (["run", "--model", "constant", "--model-args", "x"], "'x' is not key=value"),
        (["run", "--model", "constant", "--metrics", "BLUE-4"], "BLUE-4"),
        (["score", "/nonexistent/predictions.jsonl"], "no such predictions file"),
    ],
)
def test_user_errors_are_one_line_without_traceback(argv, message, capsys, data_dir: Path, tmp_path: Path) -> None:
    if argv[0] == "run":
        argv = [*argv, "--data-dir", str(data_dir), "--output-dir", str(tmp_path / "runs")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1
