from __future__ import annotations

import json
from pathlib import Path

import pytest

from adiff_bench.cli.main import main
from adiff_bench.leaderboard import submit as submit_module

from .helpers import bundle_dict, fake_scorer, write_bundle_file
from .test_export import make_run


@pytest.fixture()
def light_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's default scorer is the real suite (Java); these tests exercise the commands, not the metrics."""
    monkeypatch.setattr(submit_module, "default_scorer", lambda: fake_scorer)


def test_export_submit_leaderboard_verify(
    tmp_path: Path, data_dir: Path, light_scoring: None, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    run = make_run(runs, "acd", 1)
    bundle = tmp_path / "bundle.json"
    assert main(["export", str(run), "--output", str(bundle), "--name", "CLI model", "--parameters", "1000"]) == 0
    assert json.loads(bundle.read_text())["meta"]["parameters"] == 1000
    lb = tmp_path / "lb"
    args = ["submit", str(bundle), "--data-dir", str(data_dir), "--leaderboard-dir", str(lb), "--n-resamples", "100"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "added" in out and "acd-test-tier1 (10 items)" in out and "regenerated" in out
    assert (lb / "LEADERBOARD.md").is_file() and (lb / "index.html").is_file()

    assert main(args) == 2
    assert "pass --replace" in capsys.readouterr().err
    assert main([*args, "--replace"]) == 0
    assert "replaced" in capsys.readouterr().out

    assert main(["leaderboard", "--leaderboard-dir", str(lb), "--format", "json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in table["rows"]] == ["CLI model"]

    assert main(["leaderboard", "--leaderboard-dir", str(lb), "--verify", "--data-dir", str(data_dir)]) == 0
    entry = lb / "entries" / "cli-model.json"
    record = json.loads(entry.read_text())
    record["tiers"]["acd-test-tier1"]["scores"]["BLEU-4"]["score"] = 0.99
    entry.write_text(json.dumps(record))
    capsys.readouterr()
    assert main(["leaderboard", "--leaderboard-dir", str(lb), "--verify", "--data-dir", str(data_dir)]) == 1
    captured = capsys.readouterr()
    assert "cli-model / acd-test-tier1 / BLEU-4: mismatch (score Δ = 0.99 > tolerance 0)" in captured.out
    assert "1 do not match (cli-model)" in captured.err


def test_bad_bundle_is_one_line(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["tiers"]["acd-test-tier1"][2]["prediction"] = ""
    bundle = write_bundle_file(tmp_path / "bad.json", data)
    code = main(["submit", str(bundle), "--data-dir", str(data_dir), "--leaderboard-dir", str(tmp_path / "lb")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "tier acd-test-tier1, item 2 (id 'acd-test-00002')" in err and "is empty" in err
