"""Tasks are (dataset, split, tier); items are rows of the official CSVs with ids stable across tiers.

The three tier files of a split are row-aligned (row i is the same audio pair in every tier), so an
item id is ``{dataset}-{split}-{row:05d}`` and the same id names the same pair in every tier.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.errors import DataError

COLUMNS = ("taskname", "filepath1", "filepath2", "caption1", "caption2", "input", "answer")
TIER_NAMES = {1: "fewwords", 2: "sentence", 3: "detail"}
TIER_DESCRIPTIONS = {1: "few words", 2: "a sentence", 3: "in detail"}


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    splits: tuple[str, ...]
    default_split: str
    # Official datasets live in the data dir; generated ones are built into the cache on first use.
    generated: bool = False


DATASETS: dict[str, DatasetInfo] = {
    "acd": DatasetInfo("acd", ("test", "val", "train"), "test"),
    "cld": DatasetInfo("cld", ("evaluation", "validation", "development"), "evaluation"),
    "synth": DatasetInfo("synth", ("test",), "test", generated=True),
}


@dataclass(frozen=True)
class TaskSpec:
    dataset: str
    split: str
    tier: int

    @property
    def name(self) -> str:
        return f"{self.dataset}-{self.split}-tier{self.tier}"

    @property
    def file_name(self) -> str:
        return f"{self.dataset}_{self.split}_adiff_{TIER_NAMES[self.tier]}_answer.csv"

    def to_json(self) -> dict:
        return {"dataset": self.dataset, "split": self.split, "tier": self.tier}


@dataclass(frozen=True)
class Item:
    item_id: str
    task: TaskSpec
    row: int  # 1-based line of the record in its CSV (for error messages)
    audio1: str
    audio2: str
    caption1: str
    caption2: str
    prompt: str
    reference: str

    @property
    def clips(self) -> tuple[str, str]:
        return (self.audio1, self.audio2)


@dataclass(frozen=True)
class Task:
    spec: TaskSpec
    csv_path: Path
    audio_root: Path | None
    items: tuple[Item, ...]

    def by_id(self) -> dict[str, Item]:
        return {item.item_id: item for item in self.items}


def make_task_spec(dataset: str, tier: int | str, split: str | None = None) -> TaskSpec:
    dataset = str(dataset).lower()
    if dataset not in DATASETS:
        raise DataError(f"unknown dataset {dataset!r}: choose one of {', '.join(DATASETS)}")
    info = DATASETS[dataset]
    try:
        tier = int(tier)
    except (TypeError, ValueError):
        tier = -1
    if tier not in TIER_NAMES:
        raise DataError("unknown tier: choose 1 (few words), 2 (a sentence) or 3 (in detail)")
    split = split or info.default_split
    if split not in info.splits:
        raise DataError(f"dataset {dataset!r} has no split {split!r}: choose one of {', '.join(info.splits)}")
    return TaskSpec(dataset, split, tier)


def _generated_root(dataset: str) -> Path:
    if dataset == "synth":
        from adiff_bench.data.synth import ensure_synth

        return ensure_synth()
    raise DataError(f"no generator for dataset {dataset!r}")


def locate_csv(spec: TaskSpec, data_dir: Path | None) -> Path:
    """Find a task's CSV in the data dir (flat, or under ACD/ / CLD/ as released)."""
    if DATASETS[spec.dataset].generated:
        root = Path(data_dir) if data_dir is not None else _generated_root(spec.dataset)
    else:
        from adiff_bench.paths import default_data_dir

        root = Path(data_dir) if data_dir is not None else default_data_dir()
    candidates = [root / spec.file_name, root / spec.dataset.upper() / spec.file_name]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise DataError(
        f"{spec.file_name} not found in {root} (looked in {root} and {root / spec.dataset.upper()}); "
        "pass --data-dir or run `adiff-bench data fetch`"
    )


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of an official CSV with their 1-based line numbers; one clear error for any defect.

    Memoised on (path, content hash): every load checks the alignment against the split's other tier
    files, and hashing a file costs far less than parsing it.
    """
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return _parse_rows(Path(path))  # reports the missing or unreadable file
    return list(_cached_rows(str(path), digest))


@functools.lru_cache(maxsize=32)
def _cached_rows(path: str, digest: str) -> tuple[tuple[int, dict[str, str]], ...]:
    return tuple(_parse_rows(Path(path)))


def _parse_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    from adiff_bench.io_utils import read_utf8

    text = read_utf8(path)
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    for record in _records(reader, path):
        line_start = line + 1
        line = reader.line_num
        if None in record or any(record.get(c) is None for c in COLUMNS):
            raise DataError(f"{path}:{line_start}: wrong number of fields; expected {len(COLUMNS)} columns")
        for field in ("filepath1", "filepath2", "answer"):
            if not record[field].strip():
                raise DataError(f"{path}:{line_start}: field {field!r} is empty")
        rows.append((line_start, record))
    return rows


def _records(reader: csv.DictReader, path: Path) -> Iterator[dict[str, str]]:
    """The reader's records; a malformed one (e.g. a field over csv.field_size_limit()) is one line naming it."""
    while True:
        start = reader.line_num + 1  # the line the next record starts on
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(
                f"{path}:{start}: {exc}; a field this long is not a caption or a path — is it the right file?"
                if "field larger" in str(exc)
                else f"{path}:{start}: malformed CSV ({exc})"
            ) from exc
        yield record


def _check_alignment(spec: TaskSpec, csv_path: Path, rows: list[tuple[int, dict[str, str]]]) -> None:
    """Every available tier file of the split must list the same pairs in the same order."""
    for tier in TIER_NAMES:
        if tier == spec.tier:
            continue
        other = csv_path.with_name(TaskSpec(spec.dataset, spec.split, tier).file_name)
        if not other.is_file():
            continue
        other_rows = read_rows(other)
        if len(other_rows) != len(rows):
            raise DataError(
                f"{csv_path} has {len(rows)} rows but {other.name} has {len(other_rows)}: the tier files of a "
                "split must be row-aligned; re-download them with `adiff-bench data fetch`"
            )
        for (line, a), (_, b) in zip(rows, other_rows, strict=True):
            if (a["filepath1"], a["filepath2"]) != (b["filepath1"], b["filepath2"]):
                raise DataError(
                    f"{csv_path}:{line}: pair differs from the same row of {other.name}; the tier files of a "
                    "split must be row-aligned"
                )


def load_task(
    spec: TaskSpec,
    data_dir: Path | str | None = None,
    audio_root: Path | str | None = None,
    check_alignment: bool = True,
    check_paths: bool = True,
) -> Task:
    """The task's items; with an audio root, every CSV filepath must stay inside it (refused naming its line;
    ``data check`` passes ``check_paths=False`` to list them all instead)."""
    csv_path = locate_csv(spec, Path(data_dir) if data_dir is not None else None)
    rows = read_rows(csv_path)
    if check_alignment:
        _check_alignment(spec, csv_path, rows)
    items = tuple(
        Item(
            item_id=f"{spec.dataset}-{spec.split}-{index:05d}",
            task=spec,
            row=line,
            audio1=record["filepath1"].strip(),
            audio2=record["filepath2"].strip(),
            caption1=record["caption1"],
            caption2=record["caption2"],
            prompt=record["input"],
            reference=record["answer"],
        )
        for index, (line, record) in enumerate(rows)
    )
    if audio_root is None and DATASETS[spec.dataset].generated:
        audio_root = csv_path.parent
    if audio_root is not None and check_paths:
        _check_paths(csv_path, items, Path(audio_root))
    return Task(spec, csv_path, Path(audio_root) if audio_root is not None else None, items)


def _check_paths(csv_path: Path, items: tuple[Item, ...], audio_root: Path) -> None:
    from adiff_bench.audio.pipeline import resolve_audio_path

    for item in items:
        for relative in item.clips:
            try:
                resolve_audio_path(audio_root, relative)
            except DataError as exc:
                raise DataError(f"{csv_path}:{item.row}: {exc}") from exc


def subset(items: tuple[Item, ...], limit: int | None, seed: int) -> tuple[Item, ...]:
    """A seeded random subset in dataset order — never simply the first N."""
    if limit is None or limit >= len(items):
        return items
    if limit <= 0:
        raise DataError("--limit must be a positive number of items")
    import numpy as np

    chosen = np.sort(np.random.default_rng(seed).choice(len(items), size=limit, replace=False))
    return tuple(items[i] for i in chosen)
