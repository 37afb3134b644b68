"""``samples.jsonl``: one line per scored item (lm-eval ``--log_samples`` style), so a run loads into a table
without joining predictions, references and per-item scores by hand.

Each line: ``{"id", "task", "prompt", "prediction", "reference", "audio1", "audio2", "scores": {metric: value}}``
where ``value`` is the item's score, or None for a metric without per-item values (corpus-only, unavailable)
or a non-finite value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adiff_bench.io_utils import atomic_write_bytes

if TYPE_CHECKING:
    from adiff_bench.data.tasks import Item
    from adiff_bench.runs.scoring import Scores
    from adiff_bench.runs.store import PredictionRecord

SAMPLES_FILE = "samples.jsonl"
SAMPLE_FIELDS = ("id", "task", "prompt", "prediction", "reference", "audio1", "audio2")


def _value(per_item: Any, index: int) -> float | None:
    if per_item is None:
        return None
    value = float(per_item[index])
    return value if math.isfinite(value) else None


def sample_rows(
    matched: Sequence[tuple[Item, str]],
    scores: Scores,
    records: Mapping[str, PredictionRecord] | None = None,
) -> list[dict]:
    """One row per scored item, in the order of ``scores.item_ids``.

    ``matched`` are the (item, prediction) pairs that were scored; ``records`` (by id) supply the prompt and
    clip paths the model was actually given, falling back to the task CSV's."""
    by_id = {item.item_id: (item, text) for item, text in matched}
    if set(by_id) != set(scores.item_ids) or len(by_id) != len(scores.item_ids):
        raise ValueError("the scored items differ from the matched predictions")
    records = records or {}
    rows = []
    for index, item_id in enumerate(scores.item_ids):
        item, text = by_id[item_id]
        record = records.get(item_id)
        rows.append(
            {
                "id": item_id,
                "task": item.task.name,
                "prompt": record.prompt if record is not None and record.prompt else item.prompt,
                "prediction": text,
                "reference": item.reference,
                "audio1": record.audio1 if record is not None and record.audio1 else item.audio1,
                "audio2": record.audio2 if record is not None and record.audio2 else item.audio2,
                "scores": {name: _value(result.per_item, index) for name, result in scores.results.items()},
            }
        )
    return rows


def encode_rows(rows: Iterable[dict]) -> bytes:
    """JSON Lines, UTF-8, strict JSON (no NaN)."""
    return b"".join(json.dumps(row, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n" for row in rows)


def write_samples(path: Path | str, rows: Iterable[dict]) -> None:
    atomic_write_bytes(path, encode_rows(rows))


def samples_path_for(target: Path) -> Path:
    """Where ``score`` puts the samples beside its report, as it does the ``.npz`` sidecar:
    ``X.scores.json`` -> ``X.scores.samples.jsonl``."""
    target = Path(target)
    if target.suffix == ".json":
        return target.with_suffix(".samples.jsonl")
    return target.with_name(target.name + ".samples.jsonl")
