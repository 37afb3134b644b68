from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from adiff_bench.data.synth import GROUND_TRUTH_FILE, ensure_synth, load_ground_truth
from adiff_bench.data.synth.attributes import ATTRIBUTES, flip
from adiff_bench.data.synth.build import TIER_FILES
from adiff_bench.data.synth.scenes import sample_pairs
from adiff_bench.data.tasks import COLUMNS, load_task, make_task_spec
from adiff_bench.diagnostics.extract import extract
from adiff_bench.errors import DataError


@pytest.fixture(scope="module")
def synth20(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_synth(tmp_path_factory.mktemp("synth") / "s", seed=0, n_pairs=20)


def _rows(folder: Path, tier: int) -> list[dict[str, str]]:
    with open(folder / TIER_FILES[tier][0], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_layout_columns_and_audio(synth20: Path) -> None:
    for tier in (1, 2, 3):
        rows = _rows(synth20, tier)
        assert len(rows) == 20 and tuple(rows[0]) == COLUMNS
        assert {r["input"] for r in rows} == {TIER_FILES[tier][1]}
        for row in rows:
            assert not row["filepath1"].startswith("/") and (synth20 / row["filepath1"]).is_file()
            assert row["caption1"] and row["caption2"] and row["answer"]
    info = sf.info(str(synth20 / "audio" / "pair000_a.wav"))
    assert (info.samplerate, info.frames, info.subtype, info.channels) == (32000, 320000, "PCM_16", 1)


def test_prompts_match_the_official_tiers(synth20: Path, official_data: Path) -> None:
    official = {
        1: official_data / "ACD" / "acd_test_adiff_fewwords_answer.csv",
        2: official_data / "ACD" / "acd_test_adiff_sentence_answer.csv",
        3: official_data / "ACD" / "acd_val_adiff_detail_answer.csv",
    }
    for tier, path in official.items():
        with open(path, encoding="utf-8", newline="") as handle:
            prompts = {row["input"] for _, row in zip(range(50), csv.DictReader(handle), strict=False)}
        assert prompts == {TIER_FILES[tier][1]}


def test_ground_truth_kinds_twins_and_identical(synth20: Path) -> None:
    truth = load_ground_truth(synth20)
    assert list(truth) == [f"synth-test-{i:05d}" for i in range(20)]
    rows = _rows(synth20, 2)
    kinds = {r["kind"] for r in truth.values()}
    assert kinds == {"different", "identical", "swapped"}
    for index, record in enumerate(truth.values()):
        assert set(record["differences"]) <= set(ATTRIBUTES)
        if record["kind"] == "different":
            assert record["differences"]
        if record["kind"] == "identical":
            assert record["differences"] == {}
            a, b = (sf.read(str(synth20 / rows[index][k]))[0] for k in ("filepath1", "filepath2"))
            assert np.array_equal(a, b)
            assert extract(rows[index]["answer"]).says_no_difference
        if record["kind"] == "swapped":
            twin = truth[record["twin_of"]]
            twin_row = rows[twin["row"]]
            assert (rows[index]["filepath1"], rows[index]["filepath2"]) == (
                twin_row["filepath2"],
                twin_row["filepath1"],
            )
            assert record["differences"] == {a: flip(d) for a, d in twin["differences"].items()}


@pytest.mark.parametrize("tier", [1, 2, 3])
def test_references_state_exactly_the_ground_truth(synth20: Path, tier: int) -> None:
    truth = list(load_ground_truth(synth20).values())
    for row, record in zip(_rows(synth20, tier), truth, strict=True):
        assert extract(row["answer"]).directions == record["differences"], row["answer"]


def test_same_seed_is_byte_identical_and_seed_matters(tmp_path: Path) -> None:
    a = ensure_synth(tmp_path / "a", seed=5, n_pairs=3)
    b = ensure_synth(tmp_path / "b", seed=5, n_pairs=3)
    c = ensure_synth(tmp_path / "c", seed=6, n_pairs=3)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_pairs_do_not_depend_on_n_pairs() -> None:
    assert sample_pairs(0, 12)[:5] == sample_pairs(0, 5)


def test_built_once_and_incomplete_folder_refused(tmp_path: Path) -> None:
    folder = ensure_synth(tmp_path / "s", seed=0, n_pairs=2)
    stamp = (folder / GROUND_TRUTH_FILE).stat().st_mtime_ns
    assert ensure_synth(tmp_path / "s", seed=0, n_pairs=2) == folder
    assert (folder / GROUND_TRUTH_FILE).stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == ["s"]  # no staging folder left behind
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "stray.txt").write_text("x")
    with pytest.raises(DataError, match="not a complete synth dataset"):
        ensure_synth(broken, n_pairs=2)


def test_default_location_is_in_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADIFF_BENCH_CACHE", str(tmp_path))
    folder = ensure_synth(seed=1, n_pairs=2)
    assert folder == tmp_path / "synth" / "seed1-n2"
    assert json.loads((folder / GROUND_TRUTH_FILE).read_text())["n_pairs"] == 2


def test_load_task_routes_synth(synth20: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import adiff_bench.data.synth as synth

    monkeypatch.setattr(synth, "ensure_synth", lambda *a, **k: synth20)
    task = load_task(make_task_spec("synth", 2))
    assert task.audio_root == synth20 and len(task.items) == 20
    assert task.items[0].item_id == "synth-test-00000"
    assert (task.audio_root / task.items[0].audio1).is_file()


def test_folder_of_another_generator_version_is_rebuilt(tmp_path: Path) -> None:
    folder = ensure_synth(tmp_path / "s", seed=0, n_pairs=2)
    truth_path = folder / GROUND_TRUTH_FILE
    meta = json.loads(truth_path.read_text())
    meta["generator_version"] = -1
    truth_path.write_text(json.dumps(meta))
    (folder / "audio" / "pair000_a.wav").write_bytes(b"old")
    assert ensure_synth(tmp_path / "s", seed=0, n_pairs=2) == folder
    assert json.loads(truth_path.read_text())["generator_version"] != -1
    assert sf.info(str(folder / "audio" / "pair000_a.wav")).frames == 320000
    assert [p.name for p in tmp_path.iterdir()] == ["s"]
