"""Small builders shared by the core tests."""

from __future__ import annotations

import csv
from pathlib import Path

from adiff_bench.data.tasks import COLUMNS, TIER_NAMES


def write_task_csvs(
    folder: Path, dataset: str = "acd", split: str = "test", rows: list[dict] | None = None, tiers=(1, 2, 3)
) -> Path:
    """Write row-aligned tier CSVs in the official layout; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = rows or [
        {
            "taskname": "audiocaps",
            "filepath1": f"clips/a{i}.wav",
            "filepath2": f"clips/b{i}.wav",
            "caption1": f"A dog barks {i} times",
            "caption2": f"Rain falls on a roof number {i}",
            "input": "",
            "answer": "",
        }
        for i in range(6)
    ]
    for tier in tiers:
        with open(
            folder / f"{dataset}_{split}_adiff_{TIER_NAMES[tier]}_answer.csv", "w", newline="", encoding="utf-8"
        ) as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {
                        **row,
                        "input": row["input"] or f"explain the difference in tier {tier}",
                        "answer": row["answer"]
                        or f"The first has {row['caption1']} while the second has {row['caption2']}.",
                    }
                )
    return folder
