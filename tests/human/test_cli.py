from __future__ import annotations

import json
from pathlib import Path

import pytest

from adiff_bench.cli.main import main

from .helpers import make_run, ratings_csv, read_key

QUALITY = {"alpha-sys": 4, "beta-sys": 2}


def _study(tmp_path: Path) -> tuple[Path, list[Path]]:
    runs = []
    for system, q in QUALITY.items():
        metric = {f"acd-test-{k:05d}": q + 0.1 * k for k in range(10)}
        runs.append(make_run(tmp_path / "runs", system, n_items=10, metrics={"toy": metric}))
    assert main(["human", "sample", *map(str, runs), "--n", "8", "--seed", "5", "--out", str(tmp_path / "s")]) == 0
    return tmp_path / "s", runs


def _rate(study_dir: Path, rater: str, shift: int = 0) -> list[list[object]]:
    rows = []
    for row in read_key(study_dir):
        score = QUALITY[row["system"]] + (int(row["item_id"][-1]) % 2) * shift
        rows.append([rater, row["blinded_id"], score, score, 3 + (int(row["item_id"][-1]) % 2)])
    return rows


def test_sample_then_analyze_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study_dir, runs = _study(tmp_path)
    out = capsys.readouterr().out
    assert "sampled 8 items × 2 systems = 16 units" in out and "keep from raters" in out
    header = ["rater", "blinded_id", "correctness", "granularity", "readability"]
    files = []
    for rater, shift in (("r1", 0), ("r2", 1), ("r3", 0)):
        path = tmp_path / f"{rater}.csv"
        path.write_text(ratings_csv(header, _rate(study_dir, rater, shift)), encoding="utf-8")
        files.append(str(path))
    args = ["human", "analyze", str(study_dir), *files, "--runs", *map(str, runs), "--n-resamples", "200"]
    assert main([*args, "--format", "json", "--plots", str(tmp_path / "plots")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["systems"] == ["alpha-sys", "beta-sys"] and report["raters"] == ["r1", "r2", "r3"]
    scores = {(s["system"], s["criterion"]): s for s in report["scores"]}
    assert scores[("alpha-sys", "correctness")]["mean"] > scores[("beta-sys", "correctness")]["ci_high"]
    assert report["friedman"][0]["note"] == "needs 3 or more systems"
    pairs = {p["criterion"]: p for p in report["pairs"]}
    assert pairs["correctness"]["p_value"] < 0.05 and pairs["readability"]["p_value"] == 1.0
    assert {c["metric"] for c in report["correlations"]} == {"toy"}
    for name in ("rating_distributions.png", "metric_vs_human_toy.png"):
        assert (tmp_path / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for fmt, magic in (("svg", b"<?xml"), ("pdf", b"%PDF-")):  # vector plots too (#17), without dates
        vector = tmp_path / f"plots-{fmt}"
        assert main([*args, "--format", "json", "--plots", str(vector), "--plot-format", fmt]) == 0
        first = (vector / f"rating_distributions.{fmt}").read_bytes()
        assert first.startswith(magic) and (vector / f"metric_vs_human_toy.{fmt}").is_file()
        assert main([*args, "--format", "json", "--plots", str(vector), "--plot-format", fmt]) == 0
        assert (vector / f"rating_distributions.{fmt}").read_bytes() == first
    capsys.readouterr()
    assert main([*args, "--format", "latex"]) == 0
    latex = capsys.readouterr().out
    assert latex.count(r"\begin{tabular}") == 5 and "alpha-sys" in latex and r"\ensuremath{\alpha}" in latex
    assert main([*args, "--format", "md", "--output", str(tmp_path / "report.md")]) == 0
    markdown = capsys.readouterr().out
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == markdown
    assert "## Pairwise Wilcoxon signed-rank tests (Holm-corrected)" in markdown


def test_malformed_ratings_fail_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study_dir, _ = _study(tmp_path)
    rows = _rate(study_dir, "r1")
    rows[3][3] = "six"
    path = tmp_path / "r1.csv"
    path.write_text(ratings_csv(["rater", "blinded_id", "correctness", "granularity", "readability"], rows))
    capsys.readouterr()
    assert main(["human", "analyze", str(study_dir), str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"adiff-bench: error: {path}, row 5, column granularity: 'six' is not a whole number from 1 to 5; " \
        "correct it or leave the cell empty"  # fmt: skip


def test_runs_of_other_systems_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study_dir, _ = _study(tmp_path)
    stranger = make_run(tmp_path / "other", "gamma-sys", n_items=3)
    path = tmp_path / "r.csv"
    path.write_text(
        ratings_csv(
            ["blinded_id", "correctness", "granularity", "readability"],
            [[read_key(study_dir)[0]["blinded_id"], 1, 2, 3]],
        )
    )
    assert main(["human", "analyze", str(study_dir), str(path), "--runs", str(stranger)]) == 2
    assert "a run of 'gamma-sys' on acd-test-tier2, which this study did not sample" in capsys.readouterr().err


def test_labelled_runs_are_matched_by_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    metric = {f"acd-test-{k:05d}": float(k) for k in range(4)}
    runs = [make_run(tmp_path / d, "one-model", n_items=4, metrics={"toy": metric}) for d in ("x", "y")]
    labelled = [f"cfg-a={runs[0]}", f"cfg-b={runs[1]}"]
    assert main(["human", "sample", *labelled, "--n", "4", "--out", str(tmp_path / "s")]) == 0
    rows = [["r1", row["blinded_id"], 3, 3, 3] for row in read_key(tmp_path / "s")]
    path = tmp_path / "r1.csv"
    path.write_text(ratings_csv(["rater", "blinded_id", "correctness", "granularity", "readability"], rows))
    capsys.readouterr()
    assert main(["human", "analyze", str(tmp_path / "s"), str(path), "--format", "json", "--runs", *labelled]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["systems"] == ["cfg-a", "cfg-b"] and report["correlations"][0]["n"] == 8
