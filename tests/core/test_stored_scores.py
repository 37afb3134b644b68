"""A finished run is not scored again (unless --rescore); --predict-only skips scoring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adiff_bench.api import evaluate, make_run_spec
from adiff_bench.runs import runner, scoring

from .helpers import write_task_csvs

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_task_csvs(tmp_path / "data")


def _no_scoring(*args: object, **kwargs: object) -> None:
    pytest.fail("the finished run was scored again")


def test_a_finished_run_returns_its_stored_scores(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, metrics="ROUGE-L", n_resamples=50)
    first = evaluate(spec, tmp_path / "runs")
    written = (first.run_dir / "results.json").read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr(runner, "score_with", _no_scoring)
        again = evaluate(spec, tmp_path / "runs")
    assert again.stored and again.record == first.record
    assert again.scores.intervals == first.scores.intervals and again.scores.resampling == first.scores.resampling
    assert (first.run_dir / "results.json").read_bytes() == written
    other = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, metrics="ROUGE-L", n_resamples=60)
    assert not evaluate(other, tmp_path / "runs").stored  # other resamples: scored again
    calls = []
    monkeypatch.setattr(runner, "score_with", lambda *a, **k: calls.append(1) or scoring.score_with(*a, **k))
    rescored = evaluate(other, tmp_path / "runs", rescore=True)
    assert calls and not rescored.stored
    assert rescored.record["scores"]["ROUGE-L"]["score"] == first.record["scores"]["ROUGE-L"]["score"]


def test_predict_only_writes_predictions_and_a_later_run_scores_them(data_dir: Path, tmp_path: Path) -> None:
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, metrics="ROUGE-L", ci=False)
    only = evaluate(spec, tmp_path / "runs", predict_only=True)
    assert only.record is None and only.generated == 6
    assert not (only.run_dir / "results.json").exists() and not (only.run_dir / "item_scores.npz").exists()
    scored = evaluate(spec, tmp_path / "runs")
    assert scored.generated == 0 and scored.record["task"]["items_scored"] == 6


def test_cli_prints_stored_scores_and_shows_which_metric_it_scores(data_dir: Path, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "adiff_bench", "run", "--model", "caption-oracle", "--data-dir", str(data_dir)]
    argv += ["--output-dir", str(tmp_path / "runs"), "--metrics", "ROUGE-L", "--n-resamples", "50", "--format", "json"]
    env = {**os.environ, "COLUMNS": "200"}
    first = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr
    assert "ROUGE-L" in first.stderr and "[metrics" in first.stderr  # progress names the metric being computed
    again = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert again.returncode == 0, again.stderr
    assert "stored scores of the finished run" in again.stderr and "[metrics" not in again.stderr
    assert json.loads(again.stdout)["scores"] == json.loads(first.stdout)["scores"]
