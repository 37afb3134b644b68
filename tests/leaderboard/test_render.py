from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from adiff_bench.errors import DataError
from adiff_bench.leaderboard.build import load_table, regenerate, render

from .helpers import REPO_REPORTED, XSS


def test_table_falls_back_to_cider_and_groups_ranks(board: Path) -> None:
    table = load_table(board)
    assert table.metric == "CIDEr-D"
    assert (
        "SPICE, the official ranking metric, is unavailable here (no Stanford CoreNLP jars here), "
        "so the table falls back to CIDEr-D." in table.metric_note
    )
    assert [c.tier for c in table.columns] == ["acd-test-tier1", "acd-test-tier2", "cld-evaluation-tier1"]
    rows = {row.name: row for row in table.rows}
    t1 = "acd-test-tier1"
    # identical predictions share group 1; clearly worse ones do not (paired test on the stored statistics)
    assert rows["Oracle"].cells[t1].group == 1 and rows["Oracle twin"].cells[t1].group == 1
    assert rows["Constant"].cells[t1].group >= 2
    assert rows["Constant"].cells[t1].group >= rows[XSS].cells[t1].group  # half right: 8 items cannot tell
    assert all(c.grouping == "paired" for c in table.columns)
    assert "cld-evaluation-tier1" not in rows["Oracle twin"].cells  # tier not submitted: shown as missing
    assert rows["Oracle"].cells[t1].score == pytest.approx(1.0)
    assert rows["Oracle"].cells[t1].low <= rows["Oracle"].cells[t1].score <= rows["Oracle"].cells[t1].high


def test_metric_selection(board: Path) -> None:
    assert load_table(board, "bleu-4").metric == "BLEU-4"
    with pytest.raises(DataError, match="--metric 'METEOR': no entry has it; available: BLEU-4, CIDEr-D"):
        load_table(board, "METEOR")


def test_ci_overlap_fallback_is_labelled(board: Path) -> None:
    (board / "entries" / "constant.stats.npz").unlink()
    table = load_table(board)
    column = table.columns[0]
    assert column.grouping == "ci-overlap" and "not a significance test" in column.grouping_note
    assert "CI overlap" in render(table, "md")


def test_regeneration_is_byte_identical(board: Path) -> None:
    _, first = regenerate(board)
    copies = {path: path.read_bytes() for path in first}
    _, second = regenerate(board)
    assert set(second) == {board / "LEADERBOARD.md", board / "index.html"}
    assert all(path.read_bytes() == data for path, data in copies.items())
    table = load_table(board)
    assert render(table, "latex") == render(load_table(board), "latex")
    assert render(table, "json") == render(load_table(board), "json")


def test_markdown_content(board: Path) -> None:
    text = render(load_table(board), "md")
    assert "Headline metric: **CIDEr-D ×100**" in text
    assert "| Model | ACD T1 | ACD T2 | CLD T1 |" in text
    oracle_line = next(line for line in text.splitlines() if line.startswith("| Oracle |"))
    assert re.search(r"\*\*100\.00 \[100\.00, 100\.00\] \(1\)\*\*", oracle_line)
    twin_line = next(line for line in text.splitlines() if line.startswith("| Oracle twin |"))
    assert twin_line.endswith("| — |")
    # reported-only rows: their own section, labelled, with the source, and not in the ranked table
    board_part, reported_part = text.split("## Reported, not reproduced")
    assert not any(line.startswith("| ADIFF") for line in board_part.splitlines())
    assert "| ADIFF (reported) | SPICE | 12.68 | 22.16 | 17.07 | 11.85 | 23.15 | 16.67 |" in reported_part
    assert "ADIFF paper" in reported_part
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_html_escapes_submitter_strings(board: Path) -> None:
    regenerate(board)
    page = (board / "index.html").read_text(encoding="utf-8")
    assert page.count("<script") == 1  # only our own sorting script
    assert "alert(1)</script>" not in page.replace("<script>" + "alert", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="https://example.org/p?a=1&amp;b=2" rel="noopener noreferrer nofollow"' in page
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)  # nothing external is loaded
    assert page.count("<svg") == 3  # one chart per tier
    assert "Reported, not reproduced" in page and 'id="reported"' in page


def test_latex_and_json(board: Path) -> None:
    latex = render(load_table(board), "latex")
    assert r"\textless{}script\textgreater{}alert(1)\textless{}/script\textgreater{}" in latex
    assert r"\emph{Reported, not reproduced}" in latex and "ADIFF (SPICE, reported)" in latex
    data = json.loads(render(load_table(board), "json"))
    assert data["metric"] == "CIDEr-D"
    assert [r["name"] for r in data["reported_not_reproduced"]["rows"]] == ["ADIFF"]
    assert {r["name"] for r in data["rows"]} == {"Oracle", "Oracle twin", "Constant", XSS}


def test_empty_board(tmp_path: Path) -> None:
    shutil.copy(REPO_REPORTED, tmp_path / "reported.json")
    table, written = regenerate(tmp_path)
    assert table.rows == ()
    assert "No re-scored entries yet." in written[tmp_path / "LEADERBOARD.md"]
    assert "Reported, not reproduced" in written[tmp_path / "index.html"]


def test_entry_without_the_headline_metric_is_na_not_missing(tmp_path: Path, data_dir: Path) -> None:
    from adiff_bench.leaderboard.submit import ScoringPlan, submit

    from .helpers import bundle_dict, fake_scorer, write_bundle_file

    lb = tmp_path / "lb"
    for name, metrics in (("Full", None), ("Only BLEU", ("BLEU-4",))):
        bundle = write_bundle_file(tmp_path / f"{len(name)}.json", bundle_dict(name, {"acd-test-tier1": "half"}))
        plan = ScoringPlan(metrics=metrics, n_resamples=50)
        submit(bundle, data_dir=data_dir, leaderboard_dir=lb, plan=plan, scorer=fake_scorer)
    table = load_table(lb)
    assert table.metric == "CIDEr-D"
    rows = {row.name: row for row in table.rows}
    assert rows["Only BLEU"].cells["acd-test-tier1"].score is None
    assert rows["Full"].cells["acd-test-tier1"].group == 1
    assert "| Only BLEU | n/a |" in render(table, "md")
    assert 'title="submitted, but this metric is not available for it">n/a</td>' in render(table, "html")


def test_charts_have_labelled_axes(board: Path) -> None:
    """Each tier chart names its axis (metric ×100, what bar and whiskers mean) and marks both ends (#17)."""
    regenerate(board)
    page = (board / "index.html").read_text(encoding="utf-8")
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 3
    for chart in charts:
        assert "CIDEr-D ×100 (bar: score, whiskers: 95% CI)" in chart
        ends = re.findall(r'font-size="10">([0-9.]+)</text>', chart)
        assert ends[0] == "0" and float(ends[1]) > 0
