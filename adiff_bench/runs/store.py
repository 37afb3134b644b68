"""The files of a run directory and how they are read and written.

<run_dir>/spec.json          the RunSpec (written once; a different spec refuses the directory)
<run_dir>/predictions.jsonl  one JSON object per item, appended and flushed per batch
<run_dir>/results.json       the run record, written atomically at the end
<run_dir>/item_scores.npz    per-item scores and sufficient statistics for resampling
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from adiff_bench.errors import DataError
from adiff_bench.metrics.base import MetricResult

if TYPE_CHECKING:
    from adiff_bench.runs.spec import RunSpec

SPEC_FILE = "spec.json"
PREDICTIONS_FILE = "predictions.jsonl"
RESULTS_FILE = "results.json"
ITEM_SCORES_FILE = "item_scores.npz"


@dataclass(frozen=True)
class PredictionRecord:
    item_id: str
    task: str
    prompt: str
    prediction: str
    seconds: float = 0.0
    audio1: str | None = None
    audio2: str | None = None

    def to_json(self) -> dict:
        return {
            "id": self.item_id,
            "task": self.task,
            "prompt": self.prompt,
            "prediction": self.prediction,
            "seconds": round(self.seconds, 6),
            "audio1": self.audio1,
            "audio2": self.audio2,
        }


@dataclass(frozen=True)
class LoadedPredictions:
    records: tuple[PredictionRecord, ...]
    truncated_tail: bool  # the last line was cut off by a crash and has been discarded
    lines: tuple[int, ...] = ()  # 1-based line number of each record, for error messages
    duplicates_removed: int = 0  # repeated ids cut from the file by ``repair`` (the first complete line stays)


def read_predictions(path: Path, repair: bool = False) -> LoadedPredictions:
    """Read a predictions JSONL. A torn last line (crash mid-write) is dropped — and, with ``repair``,
    cut from the file so appends continue cleanly; any other bad line is an error naming it. A complete
    record on a last line without its newline (a hand-made file) is kept: a torn JSON object never parses."""
    if not path.exists():
        return LoadedPredictions((), False)
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    records: list[PredictionRecord] = []
    line_numbers: list[int] = []
    good_bytes = 0
    truncated = False
    for number, line in enumerate(lines, start=1):
        is_last = number == len(lines)
        if not line.strip():
            good_bytes += len(line) + (0 if is_last else 1)
            continue
        try:
            data = json.loads(line.decode("utf-8"))
            record = PredictionRecord(
                item_id=str(data["id"]),
                task=str(data.get("task", "")),
                prompt=str(data.get("prompt", "")),
                prediction=data["prediction"],
                seconds=float(data.get("seconds", 0.0)),
                audio1=data.get("audio1"),
                audio2=data.get("audio2"),
            )
            if not isinstance(record.prediction, str):
                raise TypeError("prediction is not a string")
        except RecursionError:
            raise DataError(f"{path}:{number}: JSON nested too deeply; a record is a flat object") from None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            if is_last or (number == len(lines) - 1 and not lines[-1]):
                truncated = True
                break
            if isinstance(exc, UnicodeDecodeError):
                raise DataError(f"{path}:{number}: not valid UTF-8; re-save the file as UTF-8") from exc
            if isinstance(exc, KeyError):
                raise DataError(f"{path}:{number}: missing field {exc.args[0]!r}") from exc
            raise DataError(f"{path}:{number}: not a valid prediction record ({exc})") from exc
        records.append(record)
        line_numbers.append(number)
        good_bytes += len(line) + 1
    if repair and lines[-1].strip() and not truncated:  # the newline a later append must not run into
        with open(path, "ab") as handle:
            handle.write(b"\n")
    if truncated and repair:
        with open(path, "r+b") as handle:
            handle.truncate(good_bytes)
    if repair and len({r.item_id for r in records}) < len(records):
        return _drop_repeated_ids(path, records, line_numbers, truncated)
    return LoadedPredictions(tuple(records), truncated, tuple(line_numbers))


def _drop_repeated_ids(
    path: Path, records: list[PredictionRecord], line_numbers: list[int], truncated: bool
) -> LoadedPredictions:
    """Rewrite the file with the first line of each id (two writers at once, before run folders were locked)."""
    from adiff_bench.io_utils import atomic_write_bytes

    first: dict[str, tuple[int, PredictionRecord]] = {}
    for record, number in zip(records, line_numbers, strict=True):
        first.setdefault(record.item_id, (number, record))
    kept = [record for _, record in first.values()]
    raw = path.read_bytes().split(b"\n")
    atomic_write_bytes(path, b"".join(raw[n - 1] + b"\n" for n, _ in first.values()))
    return LoadedPredictions(tuple(kept), truncated, tuple(range(1, len(kept) + 1)), len(records) - len(kept))


class PredictionWriter:
    """Appends records and fsyncs per batch, so a kill -9 loses at most the batch in flight."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(path, "ab")

    def write_batch(self, records: Iterable[PredictionRecord]) -> None:
        payload = b"".join(json.dumps(r.to_json(), ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
        self._handle.write(payload)
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> PredictionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def save_item_scores(path: Path, item_ids: Sequence[str], results: Mapping[str, MetricResult]) -> None:
    """Per-item values and sufficient statistics of every available metric, for CIs and paired tests."""
    import io

    from adiff_bench.io_utils import atomic_write_bytes

    arrays: dict[str, np.ndarray] = {"item_ids": np.asarray(list(item_ids), dtype=str)}
    meta = {}
    for name, result in results.items():
        if not result.available or result.stats is None:
            continue
        arrays[f"stats::{name}"] = np.asarray(result.stats, dtype=np.float64)
        if result.per_item is not None:
            arrays[f"per_item::{name}"] = np.asarray(result.per_item, dtype=np.float64)
        meta[name] = {"reducer": result.reducer, "signature": result.signature, "score": result.corpus}
    arrays["meta"] = np.asarray(json.dumps(meta))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def load_item_scores(path: Path) -> tuple[list[str], dict[str, MetricResult]]:
    if not path.is_file():
        raise DataError(f"{path} not found: score the run first (`adiff-bench score`)")
    with np.load(path, allow_pickle=False) as data:
        item_ids = [str(x) for x in data["item_ids"]]
        meta = json.loads(str(data["meta"]))
        results = {
            name: MetricResult(
                name=name,
                signature=info["signature"],
                corpus=info["score"],
                per_item=data[f"per_item::{name}"] if f"per_item::{name}" in data else None,
                stats=data[f"stats::{name}"],
                reducer=info["reducer"],
            )
            for name, info in meta.items()
        }
    return item_ids, results


def read_run_spec(run_dir: Path) -> RunSpec:
    """The RunSpec of a run directory (spec.json holds it under "spec", beside the model fingerprint)."""
    from adiff_bench.runs.spec import RunSpec

    spec_path = Path(run_dir) / SPEC_FILE
    if not spec_path.is_file():
        raise DataError(f"{spec_path} not found: not a run directory; pass a folder written by `adiff-bench run`")
    try:
        data = json.loads(spec_path.read_text(encoding="utf-8"))
        return RunSpec.from_json(data["spec"] if "spec" in data else data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{spec_path}: not a valid run spec ({exc}); re-create the run") from exc
