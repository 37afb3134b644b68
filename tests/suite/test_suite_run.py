"""Multi-task runs: one model load, per-task run folders equal to separate runs, task-by-task resume, the
clip cache shared by every tier, and the suite table from `run` and `report`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adiff_bench.cli.main import main
from adiff_bench.runs.requests import ClipReuse
from adiff_bench.runs.spec import make_run_spec
from adiff_bench.suite.run import run_suite, suite_specs
from adiff_bench.suite.selection import task_specs

ARGS = ["--dataset", "synth", "--limit", "12", "--metrics", "BLEU-4,ROUGE-L", "--n-resamples", "50", "--quiet"]


def _predictions(run_dir: Path) -> list[tuple[str, str]]:
    lines = (run_dir / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted((json.loads(x)["id"], json.loads(x)["prediction"]) for x in lines)


def _scores(run_dir: Path) -> dict:
    scores = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))["scores"]
    return {name: (entry["score"], entry.get("ci")) for name, entry in scores.items()}


def test_a_suite_equals_separate_runs_and_resumes_task_by_task(tmp_path: Path, capsys) -> None:
    suite, separate = tmp_path / "suite", tmp_path / "separate"
    assert main(["run", "--model", "caption-oracle", "--tier", "all", *ARGS, "--output", str(suite)]) == 0
    table = capsys.readouterr().out
    assert "synth-test-tier1" in table and "synth-test-tier3" in table
    for tier in (1, 2, 3):
        args = ["run", "--model", "caption-oracle", "--tier", str(tier), *ARGS, "--output", str(separate)]
        assert main(args) == 0
    for tier in (1, 2, 3):
        name = f"caption-oracle/synth-test-tier{tier}_limit12_seed0"
        assert _predictions(suite / name) == _predictions(separate / name)
        assert _scores(suite / name) == _scores(separate / name)

    # A kill during tier 3: its record is gone and only part of its predictions were written.
    tier3 = suite / "caption-oracle/synth-test-tier3_limit12_seed0"
    before = _scores(tier3)
    (tier3 / "results.json").unlink()
    (tier3 / "item_scores.npz").unlink()
    lines = (tier3 / "predictions.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tier3 / "predictions.jsonl").write_text("".join(lines[:5]), encoding="utf-8")
    capsys.readouterr()
    assert main(["run", "--model", "caption-oracle", "--tier", "all", *ARGS, "--output", str(suite)]) == 0
    err = capsys.readouterr().err
    assert "tier1_limit12_seed0 · generated 0, resumed 12 · stored scores" in err
    assert "tier3_limit12_seed0 · generated 7, resumed 5 · scored" in err
    assert _scores(tier3) == before


def test_every_clip_is_read_once_for_the_whole_suite(tmp_path: Path, monkeypatch) -> None:
    made: list[ClipReuse] = []
    original = ClipReuse.for_model.__func__

    def spy(cls, model):  # noqa: ANN001, ANN202
        made.append(original(cls, model))
        return made[-1]

    monkeypatch.setattr(ClipReuse, "for_model", classmethod(spy))
    base = make_run_spec("tests.core.plugin_models:Listener", "synth", 1, limit=10, metrics="ROUGE-L", ci=False)
    outcomes = run_suite(suite_specs(base, task_specs("synth", "all")), tmp_path)
    assert [o.generated for o in outcomes] == [10, 10, 10]
    assert len(made) == 1  # one cache for the three tiers
    stats = made[0].clips.stats()
    items = outcomes[0].run_dir / "predictions.jsonl"
    records = [json.loads(line) for line in items.read_text().splitlines()]
    clips = {clip for record in records for clip in (record["audio1"], record["audio2"])}
    assert stats.uses == 3 * 2 * 10
    assert stats.decoded == len(clips)  # each distinct clip read and resampled once, for all three tiers


def test_report_rebuilds_the_table_with_reported_rows(tmp_path: Path, capsys, official_data: Path) -> None:
    runs = tmp_path / "runs"
    args = ["run", "--model", "constant", "--tier", "1,2", *ARGS, "--output", str(runs)]
    args[args.index("synth")] = "acd"
    assert main([*args, "--data-dir", str(official_data)]) == 0
    reported = tmp_path / "reported.json"
    reported.write_text(
        json.dumps({"rows": [{"name": "Paper", "source": "a paper", "scale": 100,
                              "metrics": {"BLEU-4": {"acd-test-tier1": 12.5}}}]}),
        encoding="utf-8",
    )  # fmt: skip
    capsys.readouterr()
    out_file = tmp_path / "suite.tex"
    args = ["report", str(runs / "constant"), "--format", "md", "--reported", str(reported), "--output", str(out_file)]
    assert main(args) == 0
    md = capsys.readouterr().out
    assert "| Paper (reported) | 12.50 |" in md
    assert md.count("| constant |") == 1 and "acd-test T2 ROUGE-L" in md
    assert out_file.read_text(encoding="utf-8").startswith("| Model |")  # --format md wins over the suffix


def test_report_of_an_unfinished_folder_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no finished run" in err[0]


@pytest.mark.parametrize("tier", ["4", "1,,2", "two"])
def test_bad_tier_lists_fail_before_anything_is_written(tmp_path: Path, capsys, tier: str) -> None:
    assert main(["run", "--model", "constant", "--tier", tier, *ARGS, "--output", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_missing_task_file_fails_before_any_task_runs(tmp_path: Path, capsys, official_data: Path) -> None:
    """ACD test tier 3 is not in the shared data: the suite refuses before generating tiers 1 and 2."""
    out = tmp_path / "o"
    args = ["run", "--model", "constant", "--dataset", "acd", "--tier", "all", "--data-dir", str(official_data)]
    assert main([*args, "--output", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "acd_test_adiff_detail_answer.csv not found" in err[0]
    assert not out.exists()
