"""The suite summary table: layout, CIs, reported rows kept apart, and refusal of ambiguous cells."""

from __future__ import annotations

import json

import pytest

from adiff_bench.errors import DataError
from adiff_bench.suite.table import build_suite_table, terminal_blocks, to_json, to_latex, to_markdown


def _record(model: str, dataset: str, tier: int, scores: dict[str, float | None]) -> dict:
    split = {"acd": "test", "cld": "evaluation"}.get(dataset, "test")
    entries = {}
    for metric, value in scores.items():
        if value is None:
            entries[metric] = {"score": None, "unavailable": "no jars"}
        else:
            entries[metric] = {"score": value, "ci": {"low": value - 0.01, "high": value + 0.02}}
    return {
        "model": {"name": model},
        "task": {"name": f"{dataset}-{split}-tier{tier}", "dataset": dataset, "tier": tier},
        "scores": entries,
    }


def _runs() -> list[tuple[str, dict]]:
    return [
        ("adiff", _record("adiff", "cld", 1, {"BLEU-4": 0.15, "SPICE": None})),
        ("adiff", _record("adiff", "acd", 2, {"BLEU-4": 0.2343, "SPICE": None})),
        ("adiff", _record("adiff", "acd", 1, {"BLEU-4": 0.1476, "SPICE": None})),
        ("constant", _record("constant", "acd", 1, {"BLEU-4": 0.01, "SPICE": None})),
    ]


def test_columns_follow_the_papers_order_and_unavailable_metrics_drop_out() -> None:
    table = build_suite_table(_runs())
    assert [t.name for t in table.tasks] == ["acd-test-tier1", "acd-test-tier2", "cld-evaluation-tier1"]
    assert table.metrics == ("BLEU-4",)  # SPICE has no number anywhere
    md = to_markdown(table)
    assert "| adiff | 14.76 [13.76, 16.76] | 23.43 [22.43, 25.43] |" in md
    assert "| constant | 1.00 [0.00, 3.00] |  |" in md  # no tier-2 run: empty cell, not a number
    assert md.index("acd-test T1") < md.index("cld-evaluation T1")


def test_reported_rows_are_marked_and_only_where_we_have_the_task() -> None:
    reported = [("ADIFF", "ADIFF paper", 100.0, {"BLEU-4": {"acd-test-tier1": 14.76, "acd-test-tier3": 16.91}})]
    table = build_suite_table(_runs(), reported=reported)
    row = next(r for r in table.rows if r.reported)
    assert set(row.cells) == {("acd-test-tier1", "BLEU-4")}
    assert row.cells[("acd-test-tier1", "BLEU-4")].score == pytest.approx(0.1476)
    md = to_markdown(table)
    assert "| ADIFF (reported) | 14.76 |" in md and "ADIFF: ADIFF paper" in md
    data = json.loads(to_json(table))
    assert [r["reported"] for r in data["rows"]] == [False, False, True]


def test_latex_escapes_names_and_json_is_strict() -> None:
    runs = [("a_b & <c>", _record("x", "acd", 1, {"BLEU-4": float("nan")}))]
    table = build_suite_table(runs, metrics=["BLEU-4"])
    assert r"a\_b \& \textless{}c\textgreater{}" in to_latex(table)
    with pytest.raises(ValueError):  # NaN is never written as JSON's non-standard NaN
        to_json(table)


def test_two_runs_of_one_model_on_one_task_are_refused() -> None:
    runs = _runs() + [("adiff", _record("adiff", "acd", 1, {"BLEU-4": 0.3}))]
    with pytest.raises(DataError, match="two runs of 'adiff' on acd-test-tier1"):
        build_suite_table(runs)


def test_terminal_blocks_fit_80_columns() -> None:
    runs = [(f"model-{i}", _record(f"model-{i}", "acd", 1, {"BLEU-4": 0.5, "METEOR": 0.25})) for i in range(7)]
    blocks = terminal_blocks(build_suite_table(runs), width=80)
    assert len(blocks) == 4  # 7 models, 2 per block: a third 20-character cell would pass 80 columns
    for _, header, rows in blocks:
        widest = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        assert sum(widest) + 3 * len(widest) + 1 <= 80
