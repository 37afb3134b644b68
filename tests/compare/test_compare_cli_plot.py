"""``compare --plot`` writes the forest plot (a bad path fails before any resampling), and without
``--n-resamples`` the number of resamples is raised for Holm's correction and said so."""

from __future__ import annotations

import json

import numpy as np

from adiff_bench.cli.main import main

from .conftest import acd_like_clips

N = 60


def _runs(make_run):
    clips = acd_like_clips(N)
    rng = np.random.default_rng(0)
    base = np.clip(0.4 + 0.15 * rng.standard_normal(N), 0, 1)
    return [make_run(f"model_{k}", base + 0.05 * k + 0.05 * rng.standard_normal(N), clips=clips) for k in range(3)]


def test_compare_plot_writes_an_svg(make_run, tmp_path, capsys) -> None:
    runs = _runs(make_run)
    plot = tmp_path / "forest.svg"
    assert main(["compare", *map(str, runs), "--n-resamples", "50", "--plot", str(plot)]) == 0
    assert plot.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
    assert "<svg" in plot.read_text(encoding="utf-8")
    assert f"plot written to {plot}" in capsys.readouterr().err


def test_compare_plot_with_a_bad_suffix_is_one_line_before_any_work(make_run, tmp_path, capsys) -> None:
    runs = _runs(make_run)
    assert main(["compare", *map(str, runs), "--plot", str(tmp_path / "forest.gif")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing compared: it failed fast
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("adiff-bench: error:") and ".png, .svg or .pdf" in lines[0]
    assert not (tmp_path / "forest.gif").exists()


def test_default_resamples_are_raised_for_holm_and_a_given_number_is_kept(make_run, capsys) -> None:
    runs = _runs(make_run)  # 2 systems x 2 metrics = 4 comparisons -> ceil(20 * 4 / 0.05) = 1600 resamples
    assert main(["compare", *map(str, runs), "--format", "json", "--cluster", "none"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_resamples"] == 1600
    assert any("raised from 1000 to 1600" in note for note in data["notes"])
    assert main(["compare", *map(str, runs), "--format", "json", "--cluster", "none", "--n-resamples", "300"]) == 0
    assert json.loads(capsys.readouterr().out)["n_resamples"] == 300
    assert main(["compare", *map(str, runs), "--n-resamples", "0"]) == 2
