"""Tiny official-layout data, bundles and a light scorer, so leaderboard tests run in seconds without Java."""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from adiff_bench.data.tasks import COLUMNS, TIER_NAMES, Item
from adiff_bench.metrics.base import MetricResult, mean_stats, unavailable
from adiff_bench.runs.scoring import Scores

REPO_REPORTED = Path(__file__).resolve().parents[2] / "leaderboards" / "reported.json"
XSS = "<script>alert(1)</script>"
N_ITEMS = 10  # every pair of 5 clips: clips repeat across pairs, as in the official splits
PAIRS = list(itertools.combinations(range(5), 2))


def write_csvs(folder: Path, dataset: str, split: str, tiers: Sequence[int] = (1, 2)) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for tier in tiers:
        path = folder / f"{dataset}_{split}_adiff_{TIER_NAMES[tier]}_answer.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for i in range(N_ITEMS):
                writer.writerow(
                    {
                        "taskname": dataset,
                        "filepath1": f"clips/{dataset}{PAIRS[i][0]}.wav",
                        "filepath2": f"clips/{dataset}{PAIRS[i][1]}.wav",
                        "caption1": f"a dog barks {i}",
                        "caption2": f"rain falls {i}",
                        "input": f"explain the difference in tier {tier}",
                        "answer": f"the first has a dog barking {i} times while the second has rain number {i}",
                    }
                )


def reference(dataset: str, split: str, i: int) -> str:
    return f"the first has a dog barking {i} times while the second has rain number {i}"


def bundle_dict(name: str, tiers: dict[str, str], **meta: object) -> dict:
    """tiers: tier name -> 'oracle' (the reference), 'constant', or 'half' (oracle on even items)."""
    out = {}
    for tier, kind in tiers.items():
        dataset, split = tier.split("-")[:2]
        records = []
        for i in range(N_ITEMS):
            good = kind == "oracle" or (kind == "half" and i % 2 == 0)
            text = reference(dataset, split, i) if good else "the two sounds differ"
            records.append({"id": f"{dataset}-{split}-{i:05d}", "prediction": text})
        out[tier] = records
    return {"format": "adiff-bench-submission", "format_version": 1, "meta": {"name": name, **meta}, "tiers": out}


def write_bundle_file(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _overlap(hyp: str, ref: str) -> float:
    h, r = set(re.findall(r"\w+", hyp.lower())), set(re.findall(r"\w+", ref.lower()))
    return 2 * len(h & r) / max(len(h) + len(r), 1)


def fake_scorer(
    matched: Sequence[tuple[Item, str]],
    metrics: Sequence[str] | None = None,
    *,
    ci: bool = False,
    n_resamples: int = 1000,
    seed: int = 0,
    **_: object,
) -> Scores:
    """Two cheap mean metrics under real names plus SPICE unavailable, with the real bootstrap CIs."""
    from adiff_bench.stats import bootstrap_intervals, clusters_for_pairs

    items = [item for item, _ in matched]
    overlap = np.array([_overlap(text, item.reference) for item, text in matched])
    exact = np.array([float(text == item.reference) for item, text in matched])
    results = {
        "CIDEr-D": MetricResult(
            "CIDEr-D", "fake-cider|overlap", float(overlap.mean()), overlap, mean_stats(overlap), "mean"
        ),
        "BLEU-4": MetricResult("BLEU-4", "fake-bleu|exact", float(exact.mean()), exact, mean_stats(exact), "mean"),
        "SPICE": unavailable("SPICE", "SPICE|fake", "no Stanford CoreNLP jars here"),
    }
    if metrics:
        results = {k: v for k, v in results.items() if k in metrics}
    intervals = {}
    method = None
    if ci:
        found = bootstrap_intervals(
            results, n_resamples=n_resamples, seed=seed, clusters=clusters_for_pairs([i.clips for i in items])
        )
        intervals = {k: v.to_json() for k, v in found.items()}
        method = next(iter(found.values())).method if found else None
    return Scores(tuple(item.item_id for item in items), results, intervals, method)
