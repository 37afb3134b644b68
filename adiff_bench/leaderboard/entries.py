"""Leaderboard entries on disk: what ``submit`` writes and the tables are built from.

``entries/<slug>.json``                  metadata, re-scored metrics with CIs, signatures, predictions hashes
``entries/<slug>.predictions.jsonl.gz``  the predictions themselves (so ``--verify`` can re-score them)
``entries/<slug>.stats.npz``             per-item sufficient statistics and clip codes (for paired tests)

Nothing here holds a time of "now": the same submission gives the same entry, byte for byte (the npz aside).
"""

from __future__ import annotations

import gzip
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adiff_bench.errors import DataError
from adiff_bench.io_utils import atomic_write_bytes, atomic_write_json
from adiff_bench.leaderboard.bundle import TIERS_BY_NAME
from adiff_bench.metrics.base import MetricResult

FORMAT = "adiff-bench-entry"
FORMAT_VERSION = 1
ENTRIES_DIR = "entries"


@dataclass(frozen=True)
class MetricScore:
    name: str
    score: float | None
    low: float | None
    high: float | None
    signature: str
    unavailable: str | None = None


@dataclass(frozen=True)
class TierEntry:
    name: str
    n_items: int
    predictions_sha256: str
    resampling: str | None
    scores: Mapping[str, MetricScore]


@dataclass(frozen=True)
class Entry:
    slug: str
    meta: Mapping[str, object]
    predictions_sha256: str
    scoring: Mapping[str, object]
    tiers: Mapping[str, TierEntry]
    path: Path

    @property
    def name(self) -> str:
        return str(self.meta["name"])

    def stats_path(self) -> Path:
        return stats_path(self.path)

    def predictions_path(self) -> Path:
        return predictions_path(self.path)


def stats_path(entry_json: Path) -> Path:
    return entry_json.with_name(entry_json.name.removesuffix(".json") + ".stats.npz")


def predictions_path(entry_json: Path) -> Path:
    return entry_json.with_name(entry_json.name.removesuffix(".json") + ".predictions.jsonl.gz")


def entry_path(leaderboard_dir: Path, slug: str) -> Path:
    return Path(leaderboard_dir) / ENTRIES_DIR / f"{slug}.json"


def _number(value: object, what: str) -> float | None:
    """None or a finite real number; a string, bool, inf or NaN in an entry means it was edited by hand."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"{what} must be a finite number or null, not {value!r}"[:200])
    return float(value)


def _text(value: object, what: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {type(value).__name__}")
    return value


def _mapping(value: object, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be an object, not {type(value).__name__}")
    return value


def _metric_from_json(name: str, data: Mapping) -> MetricScore:
    where = f"metric {name}"
    data = _mapping(data, where)
    ci = _mapping(data.get("ci") or {}, f"{where} ci")
    return MetricScore(
        name=_text(name, "metric name") or name,
        score=_number(data.get("score"), f"{where} score"),
        low=_number(ci.get("low"), f"{where} CI low"),
        high=_number(ci.get("high"), f"{where} CI high"),
        signature=_text(data.get("signature", ""), f"{where} signature") or "",
        unavailable=_text(data.get("unavailable"), f"{where} unavailable", optional=True),
    )


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"{what} must be a non-negative integer, not {value!r}"[:200])
    return value


def _scoring(data: object) -> dict:
    scoring = dict(_mapping(data, "scoring"))
    metrics = scoring.get("metrics") or []
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise TypeError("scoring.metrics must be a list of metric names")
    for key in ("n_resamples", "seed"):
        if key in scoring:
            _count(scoring[key], f"scoring.{key}")
    return scoring


def entry_from_json(data: Mapping, path: Path) -> Entry:
    """An entry, with every field type-checked: a hand-edited entry is one line naming the field, never a crash."""
    from adiff_bench.leaderboard.bundle import parse_meta

    if not isinstance(data, Mapping) or data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        raise DataError(f"{path}: not a leaderboard entry (format {FORMAT!r} v{FORMAT_VERSION}); re-submit the bundle")
    try:
        tiers = {
            name: TierEntry(
                name=name,
                n_items=_count(tier["n_items"], f"tier {name} n_items"),
                predictions_sha256=_text(tier["predictions_sha256"], f"tier {name} predictions_sha256") or "",
                resampling=_text(tier.get("resampling"), f"tier {name} resampling", optional=True),
                scores={m: _metric_from_json(m, s) for m, s in _mapping(tier["scores"], f"tier {name} scores").items()},
            )
            for name, tier in _mapping(data["tiers"], "tiers").items()
        }
        for name in tiers:
            if name not in TIERS_BY_NAME:
                raise KeyError(f"unknown tier {name}")
        meta = dict(_mapping(data["meta"], "meta"))
        parse_meta(meta, str(path))  # the same checks as a submitted bundle's metadata
        return Entry(
            slug=_text(data["slug"], "slug") or "",
            meta=meta,
            predictions_sha256=_text(data["predictions_sha256"], "predictions_sha256") or "",
            scoring=_scoring(data["scoring"]),
            tiers=tiers,
            path=path,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"{path}: damaged entry ({exc}); re-submit its bundle with --replace") from exc


def read_entry(path: Path) -> Entry:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise DataError(f"{path}: JSON nested too deeply; re-submit its bundle with --replace") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the entry ({exc}); re-submit its bundle with --replace") from exc
    return entry_from_json(data, path)


def read_entries(leaderboard_dir: str | Path) -> list[Entry]:
    """Every entry, sorted by slug so that the output never depends on directory order."""
    folder = Path(leaderboard_dir) / ENTRIES_DIR
    if not folder.is_dir():
        return []
    return [read_entry(p) for p in sorted(folder.glob("*.json"))]


def write_entry(path: Path, record: Mapping) -> None:
    atomic_write_json(path, record)


# --- predictions and per-item statistics sidecars ------------------------------------------------------------


def write_predictions(path: Path, tiers: Mapping[str, Sequence[tuple[str, str]]]) -> None:
    lines = [
        json.dumps({"tier": tier, "id": item_id, "prediction": text}, ensure_ascii=False)
        for tier, pairs in tiers.items()
        for item_id, text in pairs
    ]
    atomic_write_bytes(path, gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))


def read_predictions(path: Path) -> dict[str, list[tuple[str, str]]]:
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the stored predictions ({exc})") from exc
    out: dict[str, list[tuple[str, str]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            out.setdefault(str(record["tier"]), []).append((str(record["id"]), str(record["prediction"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise DataError(f"{path}:{number}: damaged prediction record ({exc})") from exc
    return out


@dataclass(frozen=True)
class TierStats:
    item_ids: tuple[str, ...]
    clusters: np.ndarray | None  # (n, 2) clip codes, or None when items are independent
    results: Mapping[str, MetricResult]


def write_stats(
    path: Path, tiers: Mapping[str, tuple[Sequence[str], np.ndarray | None, Mapping[str, MetricResult]]]
) -> None:
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, dict] = {}
    for tier, (item_ids, clusters, results) in tiers.items():
        arrays[f"{tier}::item_ids"] = np.asarray(list(item_ids), dtype=str)
        if clusters is not None:
            arrays[f"{tier}::clusters"] = np.asarray(clusters, dtype=np.int64)
        meta[tier] = {}
        for name, result in results.items():
            if result.available and result.stats is not None and result.reducer is not None:
                arrays[f"{tier}::stats::{name}"] = np.asarray(result.stats, dtype=np.float64)
                meta[tier][name] = {"reducer": result.reducer, "signature": result.signature, "score": result.corpus}
    arrays["meta"] = np.asarray(json.dumps(meta, sort_keys=True))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def read_stats(path: Path) -> dict[str, TierStats]:
    """Per-tier statistics; an empty answer when the sidecar is missing (rank groups then fall back)."""
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            out = {}
            for tier, metrics in meta.items():
                results = {
                    name: MetricResult(
                        name=name,
                        signature=info["signature"],
                        corpus=info["score"],
                        stats=np.array(data[f"{tier}::stats::{name}"]),
                        reducer=info["reducer"],
                    )
                    for name, info in metrics.items()
                }
                key = f"{tier}::clusters"
                clusters = np.array(data[key]) if key in data else None
                out[tier] = TierStats(tuple(str(x) for x in data[f"{tier}::item_ids"]), clusters, results)
            return out
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"{path}: damaged statistics file ({exc}); re-submit the bundle with --replace") from exc
