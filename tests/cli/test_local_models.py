"""`--model module:Class` finds a module in the current directory (as `python -m` would) without PYTHONPATH,
and `--include-path DIR` (lm-eval's `--include_path`) finds one elsewhere, for run, probe and ablate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adiff_bench.errors import ModelError
from adiff_bench.models.registry import add_include_paths

REPO_ROOT = Path(__file__).resolve().parents[2]

MY_MODELS = '''
from collections.abc import Sequence

from adiff_bench.models.base import ModelNeeds, Request


class LouderOne:
    name = "louder-one"
    needs = ModelNeeds(needs_audio=False)

    def __init__(self, word: str = "louder") -> None:
        self.word = word

    def fingerprint(self) -> str:
        return f"louder-one-{self.word}"

    def generate(self, requests: Sequence[Request]) -> list[str]:
        return [f"The first sound is {self.word}." for _ in requests]
'''


def cli(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    """The CLI as a user runs it: -P keeps `python -m` from putting the current directory on sys.path itself,
    so only our own handling can make it importable; PYTHONPATH names this checkout only."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-P", "-m", "adiff_bench", *argv], cwd=cwd, env=env, capture_output=True, text=True
    )


RUN = ("--dataset", "synth", "--tier", "1", "--limit", "4", "--metrics", "ROUGE-L", "--n-resamples", "50", "--quiet")


def test_run_imports_a_model_from_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "my_models.py").write_text(MY_MODELS)
    result = cli(tmp_path, "run", "--model", "my_models:LouderOne", "--model-args", "word=quieter", *RUN)
    assert result.returncode == 0, result.stderr
    predictions = next((tmp_path / "adiff-runs").rglob("predictions.jsonl")).read_text()
    assert predictions.count("The first sound is quieter.") == 4


def test_include_path_finds_a_model_elsewhere(tmp_path: Path) -> None:
    models, work = tmp_path / "models", tmp_path / "work"
    models.mkdir()
    work.mkdir()
    (models / "my_models.py").write_text(MY_MODELS)
    missing = cli(work, "run", "--model", "my_models:LouderOne", *RUN)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [missing.stderr.strip()]  # one line
    assert "cannot import my_models" in missing.stderr
    ran = cli(work, "run", "--model", "my_models:LouderOne", "--include-path", str(models), *RUN)
    assert ran.returncode == 0, ran.stderr
    assert "The first sound is louder." in next((work / "adiff-runs").rglob("predictions.jsonl")).read_text()
    probed = cli(work, "probe", "--model", "my_models:LouderOne", "--include_path", str(models), "--dataset", "synth",
                 "--n", "2")  # fmt: skip
    assert probed.returncode == 0, probed.stderr


def test_include_path_that_is_not_a_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="--include-path .*no such folder"):
        add_include_paths([tmp_path / "nope"])
    result = cli(tmp_path, "run", "--model", "constant", "--include-path", str(tmp_path / "nope"), *RUN)
    assert result.returncode == 2
    assert result.stderr.startswith("adiff-bench: error: --include-path") and result.stderr.count("\n") == 1


def test_ablate_include_path_and_output(tmp_path: Path) -> None:
    models, work = tmp_path / "models", tmp_path / "work"
    models.mkdir()
    work.mkdir()
    (models / "my_models.py").write_text(MY_MODELS)
    (work / "ablation.yaml").write_text(
        "name: local\nreference: constant\ntasks:\n  - {dataset: synth, tier: 1}\nmetrics: [ROUGE-L]\n"
        "n_resamples: 50\ndefaults: {limit: 4}\nrows:\n  - {name: constant, model: constant}\n"
        "  - {name: mine, model: 'my_models:LouderOne'}\n"
    )
    argv = ("ablate", "ablation.yaml", "--allow-code-models", "--quiet", "--output", "out")
    assert cli(work, *argv).returncode == 2  # my_models is elsewhere
    ran = cli(work, *argv, "--include-path", str(models))
    assert ran.returncode == 0, ran.stderr
    assert "| mine |" in ran.stdout
    assert (work / "out").is_dir() and any((work / "out").rglob("predictions.jsonl"))
