"""The submission bundle: metadata plus predictions for the official test tiers, and its validation.

A bundle is one JSON file::

    {"format": "adiff-bench-submission", "format_version": 1,
     "meta": {"name": ..., ...},
     "tiers": {"acd-test-tier1": [{"id": "acd-test-00000", "prediction": "..."}, ...], ...}}

or a folder holding ``meta.json`` and one ``<tier>.jsonl`` per tier (lines ``{"id", "prediction"}``).
Predictions are lists, not objects, so a duplicated id is seen rather than silently overwritten. Tiers a
submitter did not run are simply absent. Every check raises one line naming the file, tier and item.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adiff_bench.data.tasks import Task, TaskSpec
from adiff_bench.errors import DataError

FORMAT = "adiff-bench-submission"
FORMAT_VERSION = 1
META_FILE = "meta.json"

# The tiers a leaderboard ranks: the official test splits (ACD test, CLD evaluation), tiers 1-3.
OFFICIAL_TIERS: tuple[TaskSpec, ...] = tuple(
    TaskSpec(dataset, split, tier) for dataset, split in (("acd", "test"), ("cld", "evaluation")) for tier in (1, 2, 3)
)
TIERS_BY_NAME: dict[str, TaskSpec] = {spec.name: spec for spec in OFFICIAL_TIERS}

# The largest official bundle (6 tiers, 29,715 items) at a generous 2 KB per prediction is ~60 MB; typical
# explanations are ~200 bytes (6 MB). Both limits hold while reading: a file is read (and a gzip one
# decompressed) in chunks and refused as soon as it passes them, so memory never exceeds the limit.
MAX_BUNDLE_BYTES = 64 * 1024 * 1024  # on disk (compressed size for .gz)
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024  # JSON text after decompression
# Parsed JSON costs ~10x its text in Python objects when the records are tiny: bound the objects as well.
MAX_JSON_OBJECTS = 6 * 50_000 + 1_000
_CHUNK = 1024 * 1024
MAX_PREDICTION_CHARS = 8000
MAX_ITEMS_PER_TIER = 50_000
MAX_TEXT_CHARS = 200
MAX_URL_CHARS = 500
MAX_NOTES_CHARS = 2000

_TEXT_FIELDS = ("organisation", "audio_encoder", "language_model", "contact")
_URL_FIELDS = ("paper_url", "code_url")
META_FIELDS = (
    "name",
    "organisation",
    "paper_url",
    "code_url",
    "parameters",
    "audio_encoder",
    "language_model",
    "decoding",
    "checkpoint_sha256",
    "contact",
    "date",
    "notes",
    "kind",
)
# "oracle": reads the ground truth (an upper reference); shown labelled and apart, never ranked with systems.
KINDS = ("system", "oracle")


@dataclass(frozen=True)
class Meta:
    """Who and what produced the predictions; every string here is submitter-supplied (escape on output)."""

    name: str
    organisation: str | None = None
    paper_url: str | None = None
    code_url: str | None = None
    parameters: int | str | None = None
    audio_encoder: str | None = None
    language_model: str | None = None
    decoding: tuple[tuple[str, str | int | float | bool], ...] = ()
    checkpoint_sha256: str | None = None
    contact: str | None = None
    date: str | None = None
    notes: str | None = None
    kind: str | None = None

    def to_json(self) -> dict:
        data = {name: getattr(self, name) for name in META_FIELDS}
        data["decoding"] = dict(self.decoding)
        return data


@dataclass(frozen=True)
class TierPredictions:
    task: TaskSpec
    predictions: tuple[tuple[str, str], ...]  # (item id, prediction) in submitted order
    source: str  # where they came from, for error messages

    def sha256(self) -> str:
        return predictions_sha256(self.predictions)


@dataclass(frozen=True)
class Bundle:
    meta: Meta
    tiers: tuple[TierPredictions, ...]
    source: str

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "meta": self.meta.to_json(),
            "tiers": {
                t.task.name: [{"id": item_id, "prediction": text} for item_id, text in t.predictions]
                for t in self.tiers
            },
        }


def predictions_sha256(predictions: Sequence[tuple[str, str]]) -> str:
    """A hash of the (id, text) pairs that ignores their order and the file's formatting."""
    digest = hashlib.sha256()
    for item_id, text in sorted(predictions):
        digest.update(json.dumps([item_id, text], ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


def slugify(name: str) -> str:
    """A file-name-safe slug (one function for every name that becomes a file: see ``io_utils.slugify``)."""
    from adiff_bench.io_utils import slugify as safe_slug

    return safe_slug(name)


# --- field checks -------------------------------------------------------------------------------------------


def _check_text(value: object, where: str, limit: int, *, allow_newlines: bool = False) -> str:
    if not isinstance(value, str):
        raise DataError(f"{where}: must be a string, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DataError(f"{where}: not valid UTF-8 text (lone surrogate at character {exc.start})") from exc
    if not value.strip():
        raise DataError(f"{where}: is empty; give a non-empty text")
    if len(value) > limit:
        raise DataError(f"{where}: is {len(value)} characters long; the limit is {limit}")
    if not allow_newlines and any(ch in value for ch in "\r\n\x00"):
        raise DataError(f"{where}: must be a single line")
    return value


def _optional(data: Mapping[str, Any], key: str) -> Any:
    value = data.get(key)
    return None if value is None or value == "" else value


def parse_meta(data: object, source: str) -> Meta:
    where = f"{source}: meta"
    if not isinstance(data, Mapping):
        raise DataError(f"{where}: must be an object with at least a 'name'")
    unknown = sorted(set(data) - set(META_FIELDS))
    if unknown:
        raise DataError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(META_FIELDS)}")
    if _optional(data, "name") is None:
        raise DataError(f"{where}.name: missing; every submission needs a model name")
    fields: dict[str, Any] = {"name": _check_text(data["name"], f"{where}.name", MAX_TEXT_CHARS)}
    for key in _TEXT_FIELDS:
        value = _optional(data, key)
        fields[key] = None if value is None else _check_text(value, f"{where}.{key}", MAX_TEXT_CHARS)
    for key in _URL_FIELDS:
        value = _optional(data, key)
        if value is not None:
            value = _check_text(value, f"{where}.{key}", MAX_URL_CHARS)
            if not re.match(r"^https?://[^\s<>\"']+$", value):
                raise DataError(f"{where}.{key}: {value!r} is not an http(s) URL")
        fields[key] = value
    fields["parameters"] = _parse_parameters(_optional(data, "parameters"), f"{where}.parameters")
    fields["decoding"] = _parse_decoding(_optional(data, "decoding"), f"{where}.decoding")
    checkpoint = _optional(data, "checkpoint_sha256")
    if checkpoint is not None:
        checkpoint = _check_text(checkpoint, f"{where}.checkpoint_sha256", 128)
        if not re.fullmatch(r"[0-9a-fA-F]{8,128}", checkpoint):
            raise DataError(f"{where}.checkpoint_sha256: must be a hex digest (e.g. `sha256sum` of the weights)")
        checkpoint = checkpoint.lower()
    fields["checkpoint_sha256"] = checkpoint
    fields["date"] = _parse_date(_optional(data, "date"), f"{where}.date")
    notes = _optional(data, "notes")
    fields["notes"] = (
        None if notes is None else _check_text(notes, f"{where}.notes", MAX_NOTES_CHARS, allow_newlines=True)
    )
    kind = _optional(data, "kind")
    if kind is not None and kind not in KINDS:
        raise DataError(f"{where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    fields["kind"] = kind
    return Meta(**fields)


def _parse_parameters(value: object, where: str) -> int | str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DataError(f"{where}: give a whole number (e.g. 128000000) or a short text such as '7B'")
    if isinstance(value, int):
        if value < 0:
            raise DataError(f"{where}: cannot be negative")
        return value
    text = _check_text(value, where, 32)
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMBT]?", text.strip(), flags=re.IGNORECASE):
        raise DataError(f"{where}: {text!r} is not a parameter count; write e.g. 128000000 or '7B'")
    return text.strip()


def _parse_decoding(value: object, where: str) -> tuple[tuple[str, str | int | float | bool], ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (("settings", _check_text(value, where, MAX_URL_CHARS)),)
    if not isinstance(value, Mapping):
        raise DataError(f'{where}: give an object such as {{"beam_size": 3, "max_new_tokens": 64}}')
    out: list[tuple[str, str | int | float | bool]] = []
    for key, item in value.items():
        _check_text(str(key), f"{where} key", 64)
        if isinstance(item, str):
            item = _check_text(item, f"{where}.{key}", MAX_TEXT_CHARS)
        elif not isinstance(item, bool | int | float):
            raise DataError(f"{where}.{key}: must be a string, number or true/false")
        elif isinstance(item, float) and not math.isfinite(item):
            raise DataError(f"{where}.{key}: {item} is not a finite number; JSON cannot hold it")
        out.append((str(key), item))
    return tuple(sorted(out))


def _parse_date(value: object, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise DataError(f"{where}: {value!r} is not a date; write YYYY-MM-DD") from exc


def parse_tier(name: object, records: object, source: str) -> TierPredictions:
    if not isinstance(name, str) or name not in TIERS_BY_NAME:
        raise DataError(f"{source}: unknown tier {name!r}; the leaderboard tiers are {', '.join(TIERS_BY_NAME)}")
    if not isinstance(records, list):
        raise DataError(f'{source}: tier {name}: must be a list of {{"id", "prediction"}} objects')
    if len(records) > MAX_ITEMS_PER_TIER:
        raise DataError(f"{source}: tier {name}: {len(records)} predictions; the limit is {MAX_ITEMS_PER_TIER}")
    seen: dict[str, int] = {}
    out: list[tuple[str, str]] = []
    for index, record in enumerate(records):
        where = f"{source}: tier {name}, item {index}"
        if not isinstance(record, Mapping) or "id" not in record or "prediction" not in record:
            raise DataError(f"{where}: must be an object with 'id' and 'prediction'")
        item_id = record["id"]
        if not isinstance(item_id, str) or not item_id:
            raise DataError(f"{where}: 'id' must be a non-empty string")
        where = f"{source}: tier {name}, item {index} (id {item_id!r})"
        if item_id in seen:
            raise DataError(f"{where}: duplicate id (also item {seen[item_id]}); keep one prediction per item")
        seen[item_id] = index
        text = _check_text(record["prediction"], f"{where}: prediction", MAX_PREDICTION_CHARS, allow_newlines=True)
        out.append((item_id, text))
    return TierPredictions(TIERS_BY_NAME[name], tuple(out), source)


# --- reading ------------------------------------------------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"duplicate key(s) {', '.join(map(repr, dupes))}")
    return dict(pairs)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _load_json(raw: bytes | bytearray, source: str) -> Any:
    objects = raw.count(b"{") + raw.count(b"[")
    if objects > MAX_JSON_OBJECTS:
        raise DataError(
            f"{source}: {objects} JSON objects/lists; a bundle may hold at most {MAX_JSON_OBJECTS} "
            "(one per prediction)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{source}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except RecursionError:
        raise DataError(f"{source}: JSON nested too deeply; a bundle is objects and lists two levels deep") from None
    except ValueError as exc:
        raise DataError(f"{source}: not valid JSON ({exc})") from exc


def _read_bytes(path: Path, budget: int) -> bytearray:
    """The file's bytes (gunzipped if it is gzip), read in chunks and refused as soon as a limit is passed."""
    import zlib

    limit = min(budget, MAX_DECOMPRESSED_BYTES)
    size = path.stat().st_size
    if size > MAX_BUNDLE_BYTES:
        raise DataError(f"{path}: {size} bytes; a bundle may hold at most {MAX_BUNDLE_BYTES} bytes")
    out = bytearray()
    with open(path, "rb") as handle:
        head = handle.read(2)
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if head == b"\x1f\x8b" else None
        pending = head
        read = len(head)
        while True:
            if read > MAX_BUNDLE_BYTES:
                raise DataError(f"{path}: more than {MAX_BUNDLE_BYTES} bytes; that is the limit for a bundle")
            if inflate is None:
                out += pending
            else:
                try:
                    out += inflate.decompress(pending, limit + 1 - len(out))
                except zlib.error as exc:
                    raise DataError(f"{path}: damaged gzip data ({exc}); re-compress the bundle") from exc
            if len(out) > limit:
                raise DataError(
                    f"{path}: more than {limit} bytes of JSON{' after decompression' if inflate else ''}; "
                    f"that is the limit for a bundle"
                )
            if inflate is not None and inflate.unconsumed_tail:
                pending = inflate.unconsumed_tail
                continue
            pending = handle.read(_CHUNK)
            read += len(pending)
            if not pending:
                break
    if inflate is not None and not inflate.eof:
        raise DataError(f"{path}: the gzip data is cut off; re-compress the bundle")
    return out


def read_bundle(path: str | Path) -> Bundle:
    """Parse and check a bundle's structure (ids against the tasks are checked by :func:`check_ids`)."""
    path = Path(path)
    if path.is_dir():
        return _read_folder(path)
    if not path.is_file():
        raise DataError(f"{path}: no such bundle file or folder")
    data = _load_json(_read_bytes(path, MAX_BUNDLE_BYTES), str(path))
    if not isinstance(data, Mapping):
        raise DataError(f"{path}: must be a JSON object with 'format', 'meta' and 'tiers'")
    if data.get("format") != FORMAT:
        raise DataError(f"{path}: field 'format' must be {FORMAT!r}; build bundles with `adiff-bench export`")
    if data.get("format_version") != FORMAT_VERSION:
        raise DataError(f"{path}: field 'format_version' must be {FORMAT_VERSION}, not {data.get('format_version')!r}")
    unknown = sorted(set(data) - {"format", "format_version", "meta", "tiers"})
    if unknown:
        raise DataError(f"{path}: unknown field(s) {', '.join(map(repr, unknown))}")
    meta = parse_meta(data.get("meta"), str(path))
    tiers = data.get("tiers")
    if not isinstance(tiers, Mapping):
        raise DataError(f"{path}: field 'tiers' must be an object mapping tier names to prediction lists")
    return _finish(meta, [parse_tier(name, records, str(path)) for name, records in tiers.items()], str(path))


def _read_folder(folder: Path) -> Bundle:
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        raise DataError(f"{folder}: a bundle folder needs {META_FILE} (the metadata) and one <tier>.jsonl per tier")
    budget = MAX_BUNDLE_BYTES
    raw = _read_bytes(meta_path, budget)
    budget -= len(raw)
    meta = parse_meta(_load_json(raw, str(meta_path)), str(meta_path))
    tiers = []
    for jsonl in sorted(folder.glob("*.jsonl")):
        raw = _read_bytes(jsonl, budget)
        budget -= len(raw)
        records = []
        for number, line in enumerate(raw.split(b"\n"), start=1):
            if line.strip():
                records.append(_load_json(line, f"{jsonl}:{number}"))
        tiers.append(parse_tier(jsonl.stem, records, str(jsonl)))
    return _finish(meta, tiers, str(folder))


def _finish(meta: Meta, tiers: list[TierPredictions], source: str) -> Bundle:
    if not tiers:
        raise DataError(
            f"{source}: no tiers; a bundle needs predictions for at least one of {', '.join(TIERS_BY_NAME)}"
        )
    order = {spec.name: i for i, spec in enumerate(OFFICIAL_TIERS)}
    return Bundle(meta, tuple(sorted(tiers, key=lambda t: order[t.task.name])), source)


def check_ids(tier: TierPredictions, task: Task) -> None:
    """Every id of the task present exactly once and no other (duplicates were caught when parsing)."""
    known = task.by_id()
    for index, (item_id, _) in enumerate(tier.predictions):
        if item_id not in known:
            raise DataError(
                f"{tier.source}: tier {tier.task.name}, item {index}: unknown id {item_id!r}; "
                f"ids look like {task.items[0].item_id!r}"
            )
    given = {item_id for item_id, _ in tier.predictions}
    missing = [item.item_id for item in task.items if item.item_id not in given]
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        raise DataError(
            f"{tier.source}: tier {tier.task.name}: {len(missing)} of {len(task.items)} item(s) have no prediction "
            f"({shown}); a submitted tier must answer every item — drop the tier or complete it"
        )


def write_bundle(bundle: Bundle, path: str | Path) -> None:
    from adiff_bench.io_utils import atomic_write_json

    atomic_write_json(path, bundle.to_json())
