"""Hostile bundles and entries: bounded memory, one-line errors, valid JSON out, no NaN in exported metadata."""

from __future__ import annotations

import dataclasses
import gzip
import json
import tracemalloc
from pathlib import Path

import pytest

from adiff_bench.cli.main import main
from adiff_bench.errors import DataError
from adiff_bench.leaderboard import bundle as bundle_module
from adiff_bench.leaderboard.build import load_table, render
from adiff_bench.leaderboard.bundle import read_bundle
from adiff_bench.leaderboard.export import export_runs

from .helpers import bundle_dict, write_bundle_file
from .test_export import make_run

LIMIT = 1024 * 1024


def _refused_with_bounded_memory(path: Path, match: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=match) as caught:
            read_bundle(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "\n" not in str(caught.value)
    assert peak < 3 * LIMIT, f"peak {peak} bytes while refusing"


def test_oversized_bundle_is_refused_before_reading_it_whole(tmp_path: Path) -> None:
    """The red-team case: an 87 MB bundle took 858 MB before being refused; now it is refused unread."""
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:  # sparse: 87 MB long, nothing written
        handle.truncate(87 * 1024 * 1024)
    _refused_with_bounded_memory(big, rf"big.json: {87 * 1024 * 1024} bytes; a bundle may hold at most \d+ bytes")


def test_gzip_bomb_is_refused_while_decompressing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_module, "MAX_DECOMPRESSED_BYTES", LIMIT)
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b"[" + b" " * (64 * LIMIT) + b"]"))  # ~64 KB on disk, 64 MB inflated
    assert bomb.stat().st_size < LIMIT
    _refused_with_bounded_memory(bomb, rf"more than {LIMIT} bytes of JSON after decompression")


def test_gzip_bundle_is_read(tmp_path: Path) -> None:
    path = tmp_path / "b.json.gz"
    path.write_bytes(gzip.compress(json.dumps(bundle_dict("Zipped", {"acd-test-tier1": "oracle"})).encode()))
    assert read_bundle(path).meta.name == "Zipped"


def test_many_tiny_objects_are_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_module, "MAX_JSON_OBJECTS", 100)
    path = tmp_path / "tiny.json"
    path.write_text("[" + ",".join(["{}"] * 500) + "]")
    with pytest.raises(DataError, match="501 JSON objects/lists; a bundle may hold at most 100"):
        read_bundle(path)


def test_deeply_nested_submit_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"format": "adiff-bench-submission", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["submit", str(path), "--leaderboard-dir", str(tmp_path / "lb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "deep.json: JSON nested too deeply" in err


def _seed_board(tmp_path: Path, data_dir: Path) -> Path:
    from adiff_bench.leaderboard.submit import ScoringPlan, submit

    from .helpers import fake_scorer

    lb = tmp_path / "lb"
    for name, kind in (("Oracle", "oracle"), ("Constant", "constant")):
        bundle = write_bundle_file(tmp_path / f"{name}.json", bundle_dict(name, {"acd-test-tier1": kind}))
        submit(bundle, data_dir=data_dir, leaderboard_dir=lb, plan=ScoringPlan(n_resamples=100), scorer=fake_scorer)
    return lb


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("score", "abc", "metric CIDEr-D score must be a finite number or null, not 'abc'"),
        ("score", True, "metric CIDEr-D score must be a finite number or null, not True"),
        ("ci", [1, 2], "metric CIDEr-D ci must be an object, not list"),
        ("signature", {"a": 1}, "metric CIDEr-D signature must be a string, not dict"),
    ],
)
def test_tampered_entry_fields_are_one_line(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str], field: str, value: object, expected: str
) -> None:
    lb = _seed_board(tmp_path, data_dir)
    path = lb / "entries" / "constant.json"
    record = json.loads(path.read_text())
    record["tiers"]["acd-test-tier1"]["scores"]["CIDEr-D"][field] = value
    path.write_text(json.dumps(record))
    assert main(["leaderboard", "--leaderboard-dir", str(lb)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "constant.json: damaged entry" in err


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda r: r["tiers"]["acd-test-tier1"]["scores"]["CIDEr-D"].update(score=1e999), "not inf"),
        (lambda r: r["meta"].update(notes={"x": 1}), "meta.notes: must be a string, not dict"),
        (lambda r: r["meta"].update(paper_url="javascript:alert(1)"), "meta.paper_url: 'javascript:alert(1)' is not"),
        (lambda r: r.update(scoring=[]), "scoring must be an object, not list"),
        (lambda r: r["meta"].update(kind="champion"), "meta.kind: 'champion' is not one of system, oracle"),
    ],
)
def test_more_tampered_entry_fields(tmp_path: Path, data_dir: Path, edit, expected: str) -> None:  # noqa: ANN001
    lb = _seed_board(tmp_path, data_dir)
    path = lb / "entries" / "constant.json"
    record = json.loads(path.read_text())
    edit(record)
    path.write_text(json.dumps(record))
    with pytest.raises(DataError, match="constant.json") as caught:
        load_table(lb)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_json_output_never_holds_infinity(tmp_path: Path, data_dir: Path) -> None:
    table = load_table(_seed_board(tmp_path, data_dir))
    row = table.rows[0]
    tier = next(iter(row.cells))
    cell = dataclasses.replace(row.cells[tier], low=float("-inf"), high=float("inf"))
    broken = dataclasses.replace(table, rows=(dataclasses.replace(row, cells={tier: cell}), *table.rows[1:]))
    text = render(broken, "json")

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    data = json.loads(text, parse_constant=refuse)
    assert data["rows"][0]["cells"][tier]["low"] is None and data["rows"][0]["cells"][tier]["high"] is None


def test_export_refuses_nan_in_metadata(tmp_path: Path) -> None:
    run = make_run(tmp_path / "runs", "acd", 1)
    meta = tmp_path / "meta.yaml"
    meta.write_text("decoding: {temperature: .nan}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"meta\.decoding\.temperature: nan is not a finite number") as caught:
        export_runs([run], tmp_path / "b.json", meta, name="x")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "b.json").exists()
