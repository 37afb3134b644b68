"""The leaderboard table as JSON, for scripts (same content as the Markdown, no formatting)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict

from adiff_bench.leaderboard.ranking import Table


def table_to_json(table: Table) -> dict:
    return {
        "metric": table.metric,
        "metric_note": table.metric_note,
        "ranking": asdict(table.options),
        "columns": [asdict(c) for c in table.columns],
        "rows": [
            {
                "slug": row.slug,
                "name": row.name,
                "label": row.label,
                "kind": row.kind,
                "ranked": row.ranked,
                "meta": dict(row.meta),
                "predictions_sha256": row.predictions_sha256,
                "cells": {tier: asdict(cell) for tier, cell in row.cells.items()},
                "details": {tier: {m: asdict(s) for m, s in scores.items()} for tier, scores in row.details.items()},
                "n_items": dict(row.n_items),
            }
            for row in table.rows
        ],
        "reported_not_reproduced": {
            "note": table.reported.note,
            "rows": [
                {
                    "name": r.name,
                    "source": r.source,
                    "scale": r.scale,
                    "metrics": {k: dict(v) for k, v in r.metrics.items()},
                }
                for r in table.reported.rows
            ],
        },
    }


def _finite(value: object) -> object:
    """JSON has no Infinity or NaN: a non-finite number (e.g. a degenerate CI bound) becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def render_json(table: Table) -> str:
    return json.dumps(_finite(table_to_json(table)), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
