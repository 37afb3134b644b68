"""Reported-only rows: numbers quoted from publications that cannot be re-scored here.

They live in ``leaderboards/reported.json`` (the only typed-in numbers of the leaderboard), each with its
source, and the tables show them apart from re-scored entries, labelled "reported, not reproduced".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from adiff_bench.errors import DataError
from adiff_bench.leaderboard.bundle import TIERS_BY_NAME

REPORTED_FILE = "reported.json"


@dataclass(frozen=True)
class ReportedRow:
    name: str
    source: str
    scale: float  # the values are score x scale (x100 in the papers)
    metrics: Mapping[str, Mapping[str, float]]  # metric -> tier -> value as printed in the source


@dataclass(frozen=True)
class Reported:
    note: str
    rows: tuple[ReportedRow, ...]


def read_reported(leaderboard_dir: str | Path) -> Reported:
    """The quoted rows, or none when the file is absent."""
    path = Path(leaderboard_dir) / REPORTED_FILE
    if not path.is_file():
        return Reported("", ())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = []
        for index, row in enumerate(data["rows"]):
            for metric, values in row["metrics"].items():
                for tier, value in values.items():
                    if tier not in TIERS_BY_NAME:
                        raise ValueError(f"row {index}, metric {metric}: unknown tier {tier!r}")
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        raise ValueError(f"row {index}, metric {metric}, tier {tier}: not a number")
            if not str(row["source"]).strip():
                raise ValueError(f"row {index}: every quoted number needs its source")
            rows.append(
                ReportedRow(
                    name=str(row["name"]),
                    source=str(row["source"]),
                    scale=float(row.get("scale", 100)),
                    metrics={m: {t: float(v) for t, v in vals.items()} for m, vals in row["metrics"].items()},
                )
            )
        return Reported(str(data.get("note", "")), tuple(rows))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(
            f"{path}: {exc}; each row needs name, source, scale and metrics {{metric: {{tier: value}}}}"
        ) from exc
