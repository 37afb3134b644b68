"""The simulated example in human_eval/ is reproducible, and the README shows its real analysis."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adiff_bench.cli.main import main

from .helpers import REPO, simulation_module

EXAMPLE = REPO / "human_eval" / "example"
COMMAND = ["human", "analyze", "study", *(f"ratings/rater{k}.csv" for k in range(1, 6))]
RUNS = sorted(str(p.relative_to(EXAMPLE)) for p in EXAMPLE.glob("runs/*/*"))


def test_the_simulation_reproduces_the_committed_example(tmp_path: Path) -> None:
    assert simulation_module().main(["--out", str(tmp_path)]) == 0
    names = ["study/sheet.csv", "study/key.csv", "study/form.html", *(f"ratings/rater{k}.csv" for k in range(1, 6))]
    for name in names:
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


def test_readme_and_report_show_the_real_analysis(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(EXAMPLE)
    assert main([*COMMAND, "--runs", *RUNS]) == 0
    output = capsys.readouterr().out
    readme = (REPO / "human_eval" / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- example-analysis:start -->\n```markdown\n(.*?)```\n<!-- example-analysis:end -->", readme, re.S
    )
    assert block is not None and block.group(1) == output
    assert (EXAMPLE / "report.md").read_text(encoding="utf-8") == output
    # the planted truth is recovered: strong > medium > weak on correctness, no difference on readability
    assert "| correctness | sim-strong − sim-weak |" in output
    assert "SIMULATED" in output
