"""Oracle entries (meta kind: oracle) are labelled, listed after the systems and never ranked."""

from __future__ import annotations

import json
from pathlib import Path

from adiff_bench.cli.main import main
from adiff_bench.leaderboard.build import load_table, render
from adiff_bench.leaderboard.submit import ScoringPlan, submit

from .helpers import bundle_dict, fake_scorer, write_bundle_file

REPO = Path(__file__).resolve().parents[2]
TIER = "acd-test-tier1"


def _board(tmp_path: Path, data_dir: Path) -> Path:
    lb = tmp_path / "lb"
    models = {"Truth reader": ("oracle", "oracle"), "Half": ("half", None), "Constant": ("constant", None)}
    for name, (answers, kind) in models.items():
        meta = {"kind": kind} if kind else {}
        bundle = write_bundle_file(tmp_path / f"{name[:5]}.json", bundle_dict(name, {TIER: answers}, **meta))
        submit(bundle, data_dir=data_dir, leaderboard_dir=lb, plan=ScoringPlan(n_resamples=200), scorer=fake_scorer)
    return lb


def test_oracle_is_labelled_last_and_unranked(tmp_path: Path, data_dir: Path) -> None:
    table = load_table(_board(tmp_path, data_dir))
    assert [(r.label, r.ranked) for r in table.rows] == [
        ("Half", True),
        ("Constant", True),
        ("Truth reader (oracle)", False),
    ]
    oracle = table.rows[-1].cells[TIER]
    assert oracle.group is None and oracle.score > table.rows[0].cells[TIER].score  # best score, still not rank 1
    assert table.rows[0].cells[TIER].group == 1

    md = render(table, "md")
    assert "| *Truth reader (oracle)* | 100.00 [100.00, 100.00] |" in md and "never ranked" in md
    assert "### Truth reader (oracle)" in md
    html = render(table, "html")
    assert 'class="oracle"' in html and "Truth reader (oracle)</a>" in html
    latex = render(table, "latex")
    assert r"\emph{Oracles (read the ground truth; not ranked)}" in latex
    assert latex.index("Oracles (read") < latex.index("Truth reader (oracle) &")
    rows = json.loads(render(table, "json"))["rows"]
    assert [(r["label"], r["kind"], r["ranked"]) for r in rows][-1] == ("Truth reader (oracle)", "oracle", False)


def test_export_sets_the_kind(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from .test_export import make_run

    run = make_run(tmp_path / "runs", "acd", 1)
    out = tmp_path / "b.json"
    assert main(["export", str(run), "--out", str(out), "--name", "o", "--kind", "oracle"]) == 0
    assert json.loads(out.read_text())["meta"]["kind"] == "oracle"
    assert main(["export", str(run), "--out", str(tmp_path / "c.json"), "--name", "o", "--kind", "best"]) == 2
    assert "meta.kind: 'best' is not one of system, oracle" in capsys.readouterr().err


def test_seed_board_labels_caption_oracle() -> None:
    table = load_table(REPO / "leaderboards")
    by_slug = {r.slug: r for r in table.rows}
    assert by_slug["caption-oracle"].kind == "oracle" and not by_slug["caption-oracle"].ranked
    assert all(c.group is None for c in by_slug["caption-oracle"].cells.values())
    assert table.rows[-1].slug == "caption-oracle"
    text = (REPO / "leaderboards" / "LEADERBOARD.md").read_text(encoding="utf-8")
    assert "| *caption-oracle (oracle)* |" in text
    assert "--kind oracle" in (REPO / "leaderboards" / "make_seed_entries.sh").read_text(encoding="utf-8")
