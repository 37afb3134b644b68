from pathlib import Path

import pytest
import yaml

from adiff_bench.ablation import load_ablation_spec, run_ablation
from adiff_bench.cli.main import main
from adiff_bench.errors import DataError
from tests.core.helpers import write_task_csvs


def _spec(tmp_path: Path, rows: list[dict]) -> Path:
    write_task_csvs(tmp_path / "data", tiers=(1, 2))
    path = tmp_path / "ablation.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "toy",
                "reference": "oracle",
                "tasks": [{"dataset": "acd", "tier": 1}, {"dataset": "acd", "tier": 2}],
                "metrics": ["ROUGE-L", "BLEU-1"],
                "n_resamples": 200,
                "defaults": {"data_dir": "data"},
                "rows": rows,
            }
        )
    )
    return path


ROWS = [
    {"name": "oracle", "model": "caption-oracle"},
    {"name": "constant", "model": "constant"},
    {"name": "echo", "model": "tests.core.plugin_models:EchoPrompt", "model_args": {"suffix": "a"}},
]


def test_ablation_table_reuses_finished_rows_and_reruns_an_edited_one(tmp_path: Path) -> None:
    spec = load_ablation_spec(_spec(tmp_path, ROWS))
    assert spec.rows[0].specs[0].data_dir == str((tmp_path / "data").resolve())
    table, runs = run_ablation(spec, tmp_path / "out")
    assert not any(r.reused for r in runs) and len(runs) == 6
    assert table.columns == (
        ("acd-test-tier1", "BLEU-1"),
        ("acd-test-tier1", "ROUGE-L"),
        ("acd-test-tier2", "BLEU-1"),
        ("acd-test-tier2", "ROUGE-L"),
    )
    cell = table.cell("constant", "acd-test-tier2", "ROUGE-L")
    oracle = table.cell("oracle", "acd-test-tier2", "ROUGE-L")
    assert cell["delta"] == pytest.approx(cell["score"] - oracle["score"])
    assert cell["delta_ci"]["low"] <= cell["delta"] <= cell["delta_ci"]["high"]
    markdown = (tmp_path / "out" / "ablation.md").read_text()
    assert "| oracle |" in markdown and "(ref)" in markdown and "Holm" in markdown
    latex = (tmp_path / "out" / "ablation.tex").read_text()
    assert r"\toprule" in latex and r"\textbf{" in latex
    assert (tmp_path / "out" / "specs" / "echo.json").is_file()

    # same spec again: every run is reused
    _, again = run_ablation(spec, tmp_path / "out")
    assert all(r.reused for r in again)
    # edit one row: only that row runs again
    edited = [*ROWS[:2], {**ROWS[2], "model_args": {"suffix": "b"}}]
    _, third = run_ablation(load_ablation_spec(_spec(tmp_path, edited)), tmp_path / "out")
    assert {r.row for r in third if not r.reused} == {"echo"}


def test_bad_ablation_specs_are_clear(tmp_path: Path) -> None:
    path = _spec(tmp_path, [{"name": "a", "model": "constant", "colour": "red"}])
    with pytest.raises(DataError, match=r"rows\[0\]: unknown field\(s\) colour"):
        load_ablation_spec(path)
    path = _spec(tmp_path, [{"name": "a", "model": "constant"}])
    with pytest.raises(DataError, match="reference 'oracle' is not one of the rows"):
        load_ablation_spec(path)
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(DataError, match=r"ablation\.yaml:1: not valid UTF-8"):
        load_ablation_spec(path)
    path.write_text("rows: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML/JSON"):
        load_ablation_spec(path)


def test_cli_ablate_prints_the_table(tmp_path: Path, capsys) -> None:
    path = _spec(tmp_path, ROWS[:2])
    assert main(["ablate", str(path), "--output-dir", str(tmp_path / "cli"), "--quiet"]) == 0
    assert "## Ablation: toy" in capsys.readouterr().out
