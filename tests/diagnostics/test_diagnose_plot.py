"""``diagnose --plot``: the per-attribute bars are written; a bad path is one line before anything is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adiff_bench.cli.main import main
from adiff_bench.data.synth import ensure_synth
from adiff_bench.data.tasks import TaskSpec, load_task
from adiff_bench.runs.spec import RunSpec
from adiff_bench.runs.store import PredictionRecord, PredictionWriter


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    synth = ensure_synth(tmp_path_factory.mktemp("synth") / "s", seed=0, n_pairs=10)
    run_dir = tmp_path_factory.mktemp("run")
    spec = RunSpec(model="constant", task=TaskSpec("synth", "test", 2), data_dir=str(synth))
    (run_dir / "spec.json").write_text(json.dumps(spec.to_json()))
    task = load_task(spec.task, data_dir=synth)
    with PredictionWriter(run_dir / "predictions.jsonl") as writer:
        writer.write_batch(PredictionRecord(i.item_id, task.spec.name, i.prompt, i.reference) for i in task.items)
    return run_dir


def test_diagnose_plot_writes_an_svg(run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "bars.svg"
    assert main(["diagnose", str(run_dir), "--plot", str(plot)]) == 0
    assert "<svg" in plot.read_text(encoding="utf-8")
    captured = capsys.readouterr()
    assert "## Synth diagnostic" in captured.out and f"plot written to {plot}" in captured.err


def test_diagnose_plot_bad_suffix_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the run folder does not exist either: the plot path is checked first, before anything is read
    assert main(["diagnose", str(tmp_path / "no-run"), "--plot", str(tmp_path / "bars.txt")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "bars.txt: cannot write a plot with suffix '.txt'" in lines[0]
