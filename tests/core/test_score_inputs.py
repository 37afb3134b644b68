"""Mismatched, partial and self-overwriting inputs to `score` and `run` are refused or reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from adiff_bench.api import evaluate, make_run_spec, score_file
from adiff_bench.errors import DataError

from .helpers import write_task_csvs

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    data_dir = write_task_csvs(tmp_path / "data")
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, metrics="ROUGE-L", ci=False)
    return evaluate(spec, tmp_path / "runs").run_dir


def test_scoring_tier_2_predictions_against_tier_3_is_refused(run_dir: Path) -> None:
    message = r"predictions.jsonl:1: the prediction answers acd-test-tier2, not acd-test-tier3"
    with pytest.raises(DataError, match=message):
        score_file(run_dir / "predictions.jsonl", tier=3, metrics="ROUGE-L", ci=False)


def test_partial_coverage_is_warned_and_recorded(run_dir: Path, tmp_path: Path) -> None:
    part = tmp_path / "part.jsonl"
    part.write_text("".join((run_dir / "predictions.jsonl").read_text().splitlines(keepends=True)[:2]))
    with pytest.warns(UserWarning, match="PARTIAL COVERAGE: .* answers 2 of the 6 items"):
        record = score_file(part, dataset="acd", tier=2, data_dir=tmp_path / "data", metrics="ROUGE-L", ci=False)
    assert "2 of the 6 items" in record["warnings"][0]
    assert "warnings" in json.loads((tmp_path / "part.scores.json").read_text())


@pytest.mark.parametrize("name", ["predictions.jsonl", "spec.json", "results.json"])
def test_an_output_equal_to_an_input_or_run_file_is_refused(run_dir: Path, name: str) -> None:
    before = (run_dir / name).read_bytes()
    with pytest.raises(DataError, match="would overwrite"):
        score_file(run_dir / "predictions.jsonl", output=run_dir / name, metrics="ROUGE-L", ci=False)
    assert (run_dir / name).read_bytes() == before


def test_an_npz_output_does_not_overwrite_the_report(run_dir: Path, tmp_path: Path) -> None:
    record = score_file(run_dir / "predictions.jsonl", output=tmp_path / "x.npz", metrics="ROUGE-L", ci=False)
    assert json.loads((tmp_path / "x.npz").read_text())["scores"] == record["scores"]
    assert (tmp_path / "x.npz.items.npz").is_file()


def test_skipped_bad_audio_prints_a_line_and_is_recorded(tmp_path: Path) -> None:
    data_dir = write_task_csvs(tmp_path / "data")
    audio = tmp_path / "audio" / "clips"
    audio.mkdir(parents=True)
    for i in range(6):
        for side in "ab":
            if i < 2:  # items 2-5 lack their clips
                sf.write(audio / f"{side}{i}.wav", np.zeros(1600, dtype=np.float32), 16000)
    argv = [sys.executable, "-m", "adiff_bench", "run", "--model", "tests.core.plugin_models:Listener"]
    argv += ["--data-dir", str(data_dir), "--audio-root", str(tmp_path / "audio"), "--output-dir", str(tmp_path / "r")]
    argv += ["--on-bad-audio", "skip", "--metrics", "ROUGE-L", "--no-ci", "--quiet", "--format", "json"]
    out = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "4 of 6 item(s) skipped for bad audio" in out.stderr
    record = json.loads(out.stdout)
    assert len(record["skipped_items"]) == 4 and record["task"]["items_scored"] == 2
