"""Hostile or careless human-study inputs (issue 14): huge scales, formula injection, empty rating files and a
--plots path that is a file each get one clear line, never an exhausted machine or a silently wrong result."""

from __future__ import annotations

import csv
import io
import resource
from pathlib import Path

import pytest

from adiff_bench.cli.main import main
from adiff_bench.errors import DataError
from adiff_bench.human.ratings import load_study_dir, read_ratings
from adiff_bench.human.sample import sample_runs, spreadsheet_safe
from adiff_bench.human.study import DEFAULT_STUDY_JSON, default_study, load_study, parse_study

from .helpers import make_run, ratings_csv, simulation_module

HEADER = ["rater", "blinded_id", "correctness", "granularity", "readability"]


def test_a_huge_scale_is_refused_in_one_line_without_allocating_it(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("criteria: [{name: q, anchors: {1: bad, 2: good}}]\nscale: {min: 1, max: 100000000}\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(DataError, match=r"scale 1\.\.100000000 has 100000000 points; at most 101") as err:
        load_study(path)
    assert "\n" not in str(err.value)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: no 2 GB range built
    anchors = {str(k): f"point {k}" for k in range(0, 101)}
    data = {**DEFAULT_STUDY_JSON, "scale": {"min": 0, "max": 100}}
    data["criteria"] = [{"name": "q", "anchors": anchors}]
    assert len(parse_study(data, "s.yaml").points) == 101  # a 0..100 scale is still fine


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_neutralised(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text
    assert spreadsheet_safe("clip 2 is louder") == "clip 2 is louder"


def test_sheet_csv_never_starts_a_cell_with_a_formula(tmp_path: Path) -> None:
    module = simulation_module()
    from adiff_bench.data.tasks import TaskSpec

    task = TaskSpec("acd", "test", 2)
    ids = [f"acd-test-{k:05d}" for k in range(4)]
    runs = []
    for system in ("a", "b"):
        predictions = {i: f'=HYPERLINK("http://evil/{system}","click") {i}' for i in ids}
        runs.append(module.write_run(tmp_path / system / task.name, system, task, predictions, None))
    sample_runs(runs, n=4, seed=0, out=tmp_path / "study", study=default_study())
    rows = list(csv.DictReader(io.StringIO((tmp_path / "study" / "sheet.csv").read_text(encoding="utf-8"))))
    assert rows and all(r["explanation"].startswith("'=HYPERLINK(") for r in rows)
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())
    study, key, _ = load_study_dir(tmp_path / "study")  # the key (read back by the tool) is untouched
    assert {e.system for e in key.values()} == {"a", "b"}


def test_a_header_only_ratings_file_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    runs = [make_run(tmp_path, s, n_items=4) for s in ("sys-a", "sys-b")]
    sample_runs(runs, n=4, seed=0, out=tmp_path / "study", study=default_study())
    spec, key, _ = load_study_dir(tmp_path / "study")
    good = tmp_path / "r1.csv"
    good.write_text(ratings_csv(HEADER, [["r1", bid, 3, 3, 3] for bid in key]), encoding="utf-8")
    empty = tmp_path / "r2.csv"
    empty.write_text(ratings_csv(HEADER, []), encoding="utf-8")
    with pytest.raises(DataError, match=r"r2\.csv: header only, no rating rows"):
        read_ratings([good, empty], spec, key)
    assert read_ratings([good], spec, key).raters == ("r1",)


def test_plots_pointing_at_a_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = [make_run(tmp_path, s, n_items=4) for s in ("sys-a", "sys-b")]
    sample_runs(runs, n=4, seed=0, out=tmp_path / "study", study=default_study())
    _, key, _ = load_study_dir(tmp_path / "study")
    ratings = tmp_path / "r1.csv"
    ratings.write_text(ratings_csv(HEADER, [["r1", bid, 3, 4, 5] for bid in key]), encoding="utf-8")
    target = tmp_path / "plots.png"
    target.write_bytes(b"keep me")
    report = tmp_path / "report.md"
    capsys.readouterr()
    for plots in (target, target / "sub"):
        code = main(["human", "analyze", str(tmp_path / "study"), str(ratings), "--plots", str(plots),
                     "--output", str(report), "--n-resamples", "50"])  # fmt: skip
        err = capsys.readouterr().err.strip()
        assert code == 2 and err.count("\n") == 0 and "is not a folder" in err, err
    assert target.read_bytes() == b"keep me" and not report.exists()
