"""The README's promises: its example model runs through the harness as written."""

import re
import sys
from pathlib import Path

from adiff_bench.api import evaluate, make_run_spec

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_model_runs(tmp_path: Path, monkeypatch) -> None:
    text = README.read_text(encoding="utf-8")
    code = re.search(r"```python\n(# my_models\.py\n.*?)```", text, re.S).group(1)
    (tmp_path / "my_models.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("my_models", None)
    spec = make_run_spec(
        "my_models:LouderOne", "synth", 1, model_args={"margin_db": "6"}, limit=20, metrics="ROUGE-L"
    )
    outcome = evaluate(spec, tmp_path / "runs")
    assert outcome.generated == 20
    predictions = (outcome.run_dir / "predictions.jsonl").read_text()
    assert "is louder." in predictions or "equally loud" in predictions


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (README.parent / ".ci" / "run").read_text()
    command = ".venv/bin/python -m ruff check . && .venv/bin/python -m pytest"
    assert command in README.read_text() and command in ci
