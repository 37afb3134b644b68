from __future__ import annotations

import json
from pathlib import Path

import pytest

from adiff_bench.data.tasks import load_task
from adiff_bench.errors import DataError
from adiff_bench.leaderboard.bundle import (
    MAX_PREDICTION_CHARS,
    TIERS_BY_NAME,
    check_ids,
    predictions_sha256,
    read_bundle,
    slugify,
    write_bundle,
)

from .helpers import N_ITEMS, bundle_dict, write_bundle_file


def _bundle(tmp_path: Path, data: dict) -> Path:
    return write_bundle_file(tmp_path / "bundle.json", data)


def test_round_trip_and_meta(tmp_path: Path) -> None:
    data = bundle_dict(
        "My Model",
        {"cld-evaluation-tier1": "oracle", "acd-test-tier2": "constant"},
        organisation="Lab",
        paper_url="https://example.org/paper",
        parameters="7B",
        decoding={"beam_size": 3, "temperature": 0.0},
        checkpoint_sha256="AB" * 32,
        date="2025-01-31",
    )
    bundle = read_bundle(_bundle(tmp_path, data))
    assert [t.task.name for t in bundle.tiers] == ["acd-test-tier2", "cld-evaluation-tier1"]  # official order
    assert bundle.meta.checkpoint_sha256 == "ab" * 32
    assert dict(bundle.meta.decoding) == {"beam_size": 3, "temperature": 0.0}
    write_bundle(bundle, tmp_path / "again.json")
    again = read_bundle(tmp_path / "again.json")
    assert again.meta == bundle.meta
    assert [t.predictions for t in again.tiers] == [t.predictions for t in bundle.tiers]


def test_folder_form(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "meta.json").write_text(json.dumps({"name": "folder model"}), encoding="utf-8")
    records = bundle_dict("x", {"acd-test-tier1": "oracle"})["tiers"]["acd-test-tier1"]
    (folder / "acd-test-tier1.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    bundle = read_bundle(folder)
    assert bundle.meta.name == "folder model"
    assert len(bundle.tiers[0].predictions) == N_ITEMS


def _error(tmp_path: Path, data: dict | bytes) -> str:
    path = tmp_path / "bad.json"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        write_bundle_file(path, data)
    with pytest.raises(DataError) as info:
        read_bundle(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_errors_name_tier_and_item(tmp_path: Path) -> None:
    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["tiers"]["acd-test-tier1"][3]["prediction"] = "   "
    message = _error(tmp_path, data)
    assert "acd-test-tier1" in message and "item 3" in message and "acd-test-00003" in message and "empty" in message

    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["tiers"]["acd-test-tier1"][5]["id"] = "acd-test-00001"
    message = _error(tmp_path, data)
    assert "duplicate id" in message and "item 5" in message and "also item 1" in message

    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["tiers"]["acd-test-tier1"][2]["prediction"] = "x" * (MAX_PREDICTION_CHARS + 1)
    assert "limit" in _error(tmp_path, data)

    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["tiers"]["acd-test-tier1"][2]["prediction"] = "\ud800 lone surrogate"
    assert "UTF-8" in _error(tmp_path, data)


def test_tier_and_schema_errors(tmp_path: Path) -> None:
    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["tiers"]["acd-val-tier1"] = data["tiers"]["acd-test-tier1"]
    assert "unknown tier 'acd-val-tier1'" in _error(tmp_path, data)

    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["scores"] = {"SPICE": 0.99}  # submitted numbers are not accepted at all
    assert "unknown field(s) 'scores'" in _error(tmp_path, data)

    data = bundle_dict("m", {})
    assert "no tiers" in _error(tmp_path, data)

    assert "not valid UTF-8" in _error(tmp_path, b'{"format": "\xff"}')
    assert "duplicate key" in _error(tmp_path, b'{"format": 1, "format": 2}')
    assert "'format'" in _error(tmp_path, {"meta": {"name": "m"}, "tiers": {}})


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({}, "meta.name: missing"),
        ({"name": "m", "paper_url": "javascript:alert(1)"}, "not an http(s) URL"),
        ({"name": "m", "date": "31/01/2025"}, "YYYY-MM-DD"),
        ({"name": "m", "color": "red"}, "unknown field(s) 'color'"),
        ({"name": "m", "parameters": "lots"}, "not a parameter count"),
        ({"name": "m", "checkpoint_sha256": "not-hex"}, "hex digest"),
        ({"name": "line\nbreak"}, "single line"),
    ],
)
def test_meta_errors(tmp_path: Path, meta: dict, expected: str) -> None:
    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["meta"] = meta
    assert expected in _error(tmp_path, data)


def test_check_ids_against_the_task(tmp_path: Path, data_dir: Path) -> None:
    task = load_task(TIERS_BY_NAME["acd-test-tier1"], data_dir)
    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    data["tiers"]["acd-test-tier1"][4]["id"] = "acd-test-99999"
    tier = read_bundle(_bundle(tmp_path, data)).tiers[0]
    with pytest.raises(DataError, match=r"tier acd-test-tier1, item 4: unknown id 'acd-test-99999'"):
        check_ids(tier, task)

    data = bundle_dict("m", {"acd-test-tier1": "oracle"})
    del data["tiers"]["acd-test-tier1"][8:]
    tier = read_bundle(_bundle(tmp_path, data)).tiers[0]
    with pytest.raises(DataError, match=r"2 of 10 item\(s\) have no prediction \(acd-test-00008, acd-test-00009\)"):
        check_ids(tier, task)


def test_hash_ignores_order_and_slug_is_safe() -> None:
    pairs = (("a", "x"), ("b", "y"))
    assert predictions_sha256(pairs) == predictions_sha256(tuple(reversed(pairs)))
    assert predictions_sha256(pairs) != predictions_sha256((("a", "x"), ("b", "y ")))
    assert slugify("ADIFF (base) v1.0") == "adiff-base-v1-0"
    assert slugify("<script>alert(1)</script>") == "script-alert-1-script"
    assert slugify("模型").startswith("model-") and slugify("模型") != slugify("模")
