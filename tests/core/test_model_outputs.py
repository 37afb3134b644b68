"""A model's bad output or exception is one line naming the model and the item, and nothing bad is stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import write_task_csvs

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("none", "returned NoneType None for item acd-test-00003"),
        ("nan", "returned float nan for item acd-test-00003"),
        ("list", "returned list ['louder', 'quieter'] for item acd-test-00003"),
        ("raise", "failed on item(s) acd-test-00002, acd-test-00003: RuntimeError: CUDA out of memory Tried"),
    ],
)
def test_bad_model_output_is_one_line_naming_model_and_item(tmp_path: Path, kind: str, expected: str) -> None:
    data_dir = write_task_csvs(tmp_path / "data")
    argv = [sys.executable, "-m", "adiff_bench", "run", "--model", "tests.core.plugin_models:BadOutput"]
    argv += ["--model-args", f"kind={kind}", "--data-dir", str(data_dir), "--output-dir", str(tmp_path / "runs")]
    argv += ["--batch-size", "2", "--metrics", "ROUGE-L", "--quiet"]
    out = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "'bad-output'" in lines[0] and expected in lines[0], out.stderr
    (predictions,) = (tmp_path / "runs").glob("*/*/predictions.jsonl")
    stored = predictions.read_text()
    assert stored.count("\n") == 2 and "None" not in stored and "nan" not in stored  # the first batch only
