"""The offline baseline spec runs end to end here (synth, weight-free models, tiny random ADIFF)."""

from pathlib import Path

import pytest
import yaml

from adiff_bench.ablation import load_ablation_spec, run_ablation

BASELINES = Path(__file__).resolve().parents[2] / "baselines"


@pytest.mark.slow
def test_synth_offline_spec_runs_end_to_end(golden_dir: Path, tmp_path: Path) -> None:
    spec = load_ablation_spec(BASELINES / "synth_offline.yaml")
    table, runs = run_ablation(spec, tmp_path)
    assert table.rows == ("caption-oracle", "constant", "acoustic", "adiff-tiny-random")
    assert {task for _, task in [(r.row, r.task) for r in runs]} == {"synth-test-tier1", "synth-test-tier2"}
    # the generic constant sentence is significantly worse than the caption oracle on CIDEr-D
    assert table.cell("constant", "synth-test-tier2", "CIDEr-D")["marker"]
    assert (tmp_path / "ablation.tex").read_text().count(r"\textbf{") == len(table.columns)


def test_every_shipped_spec_parses() -> None:
    for path in sorted(BASELINES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert data["reference"] in [row["name"] for row in data["rows"]], path.name
        spec = load_ablation_spec(path)
        assert len(spec.rows) >= 2 and spec.metrics, path.name
