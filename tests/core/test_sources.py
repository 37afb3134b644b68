"""Resume checks where the predictions came from: the task CSV's content and the audio root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adiff_bench.api import evaluate, make_run_spec
from adiff_bench.errors import DataError
from adiff_bench.runs.runner import claim_run_directory

from .helpers import write_task_csvs


def _rows(word: str) -> list[dict]:
    return [
        {
            "taskname": "audiocaps",
            "filepath1": f"clips/a{i}.wav",
            "filepath2": f"clips/b{i}.wav",
            "caption1": f"A {word} barks {i} times",
            "caption2": f"Rain falls on roof {i}",
            "input": "",
            "answer": "",
        }
        for i in range(6)
    ]


def test_another_csv_content_is_refused_and_overwrite_regenerates(tmp_path: Path) -> None:
    first_dir = write_task_csvs(tmp_path / "a", rows=_rows("dog"))
    copy_dir = write_task_csvs(tmp_path / "copy", rows=_rows("dog"))
    other_dir = write_task_csvs(tmp_path / "b", rows=_rows("cat"))
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=first_dir, metrics="ROUGE-L", ci=False)
    first = evaluate(spec, tmp_path / "runs")
    same = make_run_spec("caption-oracle", "acd", 2, data_dir=copy_dir, metrics="ROUGE-L", ci=False)
    assert evaluate(same, tmp_path / "runs").resumed == 6  # same content elsewhere: resumes
    other = make_run_spec("caption-oracle", "acd", 2, data_dir=other_dir, metrics="ROUGE-L", ci=False)
    with pytest.raises(DataError, match="another task CSV .*content differs.*--overwrite") as caught:
        evaluate(other, tmp_path / "runs")
    assert "\n" not in str(caught.value)
    again = evaluate(other, tmp_path / "runs", overwrite=True)
    assert again.generated == 6
    assert "cat" in (first.run_dir / "predictions.jsonl").read_text()


def test_another_audio_root_is_refused(tmp_path: Path) -> None:
    spec = make_run_spec("caption-oracle", "acd", 2)
    sources = {"csv": "x.csv", "csv_sha256": "0" * 64, "audio_root": "/data/audio-a"}
    claim_run_directory(tmp_path, spec, "fp", False, sources)
    claim_run_directory(tmp_path, spec, "fp", False, dict(sources))
    with pytest.raises(DataError, match="audio in /data/audio-a, not /data/audio-b"):
        claim_run_directory(tmp_path, spec, "fp", False, {**sources, "audio_root": "/data/audio-b"})


def test_a_spec_file_of_an_earlier_version_gains_its_sources(tmp_path: Path) -> None:
    spec = make_run_spec("caption-oracle", "acd", 2)
    claim_run_directory(tmp_path, spec, "fp", False)
    sources = {"csv": "x.csv", "csv_sha256": "1" * 64, "audio_root": None}
    claim_run_directory(tmp_path, spec, "fp", False, sources)
    assert json.loads((tmp_path / "spec.json").read_text())["sources"] == sources
