import json
from pathlib import Path

import numpy as np
import pytest

from adiff_bench.errors import DataError
from adiff_bench.metrics.base import MetricResult, mean_stats
from adiff_bench.runs.store import (
    PredictionRecord,
    PredictionWriter,
    load_item_scores,
    read_predictions,
    save_item_scores,
)


def _records(n: int) -> list[PredictionRecord]:
    return [PredictionRecord(f"id{i}", "t", "p", f"text {i}") for i in range(n)]


def test_torn_last_line_is_dropped_and_repaired(tmp_path: Path) -> None:
    path = tmp_path / "predictions.jsonl"
    with PredictionWriter(path) as writer:
        writer.write_batch(_records(3))
    with open(path, "ab") as f:
        f.write(b'{"id": "id3", "task": "t", "predic')
    loaded = read_predictions(path, repair=True)
    assert loaded.truncated_tail and [r.item_id for r in loaded.records] == ["id0", "id1", "id2"]
    assert loaded.lines == (1, 2, 3)
    assert path.read_bytes().endswith(b"}\n")
    assert not read_predictions(path).truncated_tail


def test_corrupt_middle_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    lines = [json.dumps(r.to_json()) for r in _records(3)]
    lines[1] = '{"id": "id1"}'
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"p.jsonl:2: missing field 'prediction'"):
        read_predictions(path)


def test_item_scores_round_trip(tmp_path: Path) -> None:
    values = np.array([0.1, 0.5, 0.9])
    result = MetricResult("X", "X|v1", float(values.mean()), values, mean_stats(values), "mean")
    missing = MetricResult("SPICE", "SPICE|v", None, unavailable="jars absent")
    save_item_scores(tmp_path / "s.npz", ["a", "b", "c"], {"X": result, "SPICE": missing})
    ids, loaded = load_item_scores(tmp_path / "s.npz")
    assert ids == ["a", "b", "c"] and set(loaded) == {"X"}
    np.testing.assert_array_equal(loaded["X"].stats, result.stats)
    assert loaded["X"].signature == "X|v1" and loaded["X"].corpus == pytest.approx(0.5)


def test_mean_reducer_is_undefined_for_an_empty_resample() -> None:
    from adiff_bench.metrics.base import reduce_mean

    values = reduce_mean(np.array([[3.0, 2.0], [0.0, 0.0]]))
    assert values[0] == 1.5 and np.isnan(values[1])


def test_atomic_writes_have_ordinary_permissions(tmp_path: Path) -> None:
    import os

    from adiff_bench.io_utils import atomic_write_text

    atomic_write_text(tmp_path / "index.html", "<p>x</p>")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "index.html").stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_complete_last_line_without_newline_is_kept_and_mended(tmp_path: Path) -> None:
    """A hand-made JSONL whose last line lacks its newline is valid (#14); resume adds the newline before appending."""
    from adiff_bench.runs.store import PredictionRecord, PredictionWriter, read_predictions

    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a", "prediction": "x"}\n{"id": "b", "prediction": "y"}', encoding="utf-8")
    loaded = read_predictions(path)
    assert [r.item_id for r in loaded.records] == ["a", "b"] and not loaded.truncated_tail
    read_predictions(path, repair=True)
    with PredictionWriter(path) as writer:
        writer.write_batch([PredictionRecord("c", "t", "p", "z")])
    assert [r.item_id for r in read_predictions(path).records] == ["a", "b", "c"]
    path.write_text('{"id": "a", "prediction": "x"}\n{"id": "b", "predic', encoding="utf-8")  # torn: dropped
    assert [r.item_id for r in read_predictions(path).records] == ["a"] and read_predictions(path).truncated_tail


def test_deeply_nested_json_is_one_line(tmp_path: Path) -> None:
    from adiff_bench.errors import DataError
    from adiff_bench.runs.store import read_predictions

    path = tmp_path / "deep.jsonl"
    path.write_text('{"id": "a", "prediction": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"deep.jsonl:1: JSON nested too deeply"):
        read_predictions(path)
