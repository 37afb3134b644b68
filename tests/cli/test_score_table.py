"""The terminal score table: compact (Metric, Score ×100, 95% CI), fits 80 columns, never wraps a cell;
unavailable metrics are n/a with their reason said once below, signatures only with --signatures."""

from __future__ import annotations

import io
import json

from rich.console import Console

from adiff_bench.cli.common import print_scores
from adiff_bench.runs.report import render

NAMES = ("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D", "SPICE", "SPIDEr", "SBERT")
NAMES += ("BERTScore",)
MISSING_EXTRA = "install adiff-bench[embedding] (torch is not installed); the lexical metrics need nothing more"


def _record() -> dict:
    scores = {}
    for i, name in enumerate(NAMES):
        signature = f"{name}|pycocoevalcap:1.2|tok:ptb|refs:1|java:17.0.15|meteor:1.5|lang:en|norm|stats:summed"
        if name in ("SBERT", "BERTScore"):
            scores[name] = {"name": name, "score": None, "signature": signature, "unavailable": MISSING_EXTRA}
        elif name == "SPICE":
            scores[name] = {"name": name, "score": None, "signature": signature, "unavailable": "CoreNLP jars missing"}
        else:
            value = 0.1 + 0.05 * i
            ci = {"low": value - 0.0123, "high": value + 0.0456, "level": 0.95, "method": "percentile bootstrap"}
            scores[name] = {"name": name, "score": value, "signature": signature, "unavailable": None, "ci": ci}
    return {
        "model": {"name": "a-model-with-a-rather-long-name"},
        "task": {"name": "acd-test-tier2", "items_scored": 1234},
        "scores": scores,
        "confidence_intervals": {"method": "percentile bootstrap", "n_resamples": 1000, "seed": 0},
    }


def _render(signatures: bool = False) -> list[str]:
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    print_scores(_record(), "table", signatures=signatures, console=console)
    return console.export_text().splitlines()


def test_default_table_fits_80_columns_and_no_cell_wraps() -> None:
    lines = _render()
    assert max(len(line) for line in lines) <= 80, "\n".join(lines)
    record = _record()
    rows = [line for line in lines if line.startswith("│")]
    for name, entry in record["scores"].items():
        found = [line for line in rows if f" {name} " in line]
        assert len(found) == 1, (name, lines)  # one line per metric: nothing wrapped onto a second line
        if entry["score"] is None:
            assert "n/a" in found[0]
        else:
            ci = entry["ci"]
            assert f"{entry['score'] * 100:.2f}" in found[0]
            assert f"[{ci['low'] * 100:.2f}, {ci['high'] * 100:.2f}]" in found[0]
    assert len(rows) == len(NAMES)  # one body line per metric
    assert not any("pycocoevalcap" in line for line in lines)  # signatures only with --signatures


def test_unavailable_reason_is_listed_once_below_the_table() -> None:
    lines = _render()
    text = "\n".join(lines)
    assert text.count("install adiff-bench[embedding]") == 1
    assert "SBERT, BERTScore unavailable: install adiff-bench[embedding]" in text
    assert "SPICE unavailable: CoreNLP jars missing" in text
    last_row = max(i for i, line in enumerate(lines) if line.startswith("└"))
    assert all(i > last_row for i, line in enumerate(lines) if "unavailable:" in line)


def test_signatures_listed_below_on_request_each_whole() -> None:
    lines = _render(signatures=True)
    record = _record()
    for name, entry in record["scores"].items():
        if entry["score"] is not None:
            assert f"  {name}: {entry['signature']}" in lines  # one unbroken line each
    table = lines[: max(i for i, line in enumerate(lines) if line.startswith("└")) + 1]
    assert max(len(line) for line in table) <= 80


def test_markdown_is_compact_and_json_keeps_everything() -> None:
    record = _record()
    md = render(record, "md")
    assert "| Metric | Score (×100) | 95% CI |" in md and "pycocoevalcap" not in md
    assert "- SBERT, BERTScore unavailable: install adiff-bench[embedding]" in md
    assert "`BLEU-4: BLEU-4|pycocoevalcap" in render(record, "md", signatures=True)
    assert json.loads(render(record, "json")) == record
