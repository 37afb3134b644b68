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


def test_readme_example_output_is_a_real_run(tmp_path: Path) -> None:
    """The README's main-output block (written by tools/readme_example.py) matches a fresh run of its command,
    within the printed precision; the lexical metrics are re-run here (the embedding ones only need a row)."""
    import json

    from adiff_bench.cli.main import main

    block = re.search(r"<!-- main-output:start -->\n```text\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None and block.group(1).strip(), "run tools/readme_example.py"
    shown = {}
    for line in block.group(1).splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 3 and cells[0] and cells[0] != "Metric":
            shown[cells[0]] = cells
    assert set(shown) == {"BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D", "SPICE", "SPIDEr",
                          "SBERT", "BERTScore"}  # fmt: skip
    assert main(["run", "--model", "acoustic", "--dataset", "synth", "--tier", "2", "--metrics", "lexical",
                 "--output", str(tmp_path), "--quiet"]) == 0  # fmt: skip
    record = json.loads((tmp_path / "acoustic" / "synth-test-tier2" / "results.json").read_text(encoding="utf-8"))
    half_digit = 0.005 + 1e-9  # the table prints ×100 with two decimals
    for name, entry in record["scores"].items():
        score, interval = shown[name][1], shown[name][2]
        assert abs(float(score) - 100 * entry["score"]) <= half_digit, name
        low, high = (float(x) for x in interval.strip("[]").split(","))
        assert abs(low - 100 * entry["ci"]["low"]) <= half_digit and abs(high - 100 * entry["ci"]["high"]) <= half_digit
    assert shown["SPICE"][1] == "n/a" and "SPICE unavailable" in block.group(1)
