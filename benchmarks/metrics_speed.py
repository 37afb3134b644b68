"""Wall time of the lexical suite vs. calling pycocoevalcap's scorers one after another, same numbers.

Run: .venv/bin/python benchmarks/metrics_speed.py [--n N] [--csv PATH]

Predictions are caption-oracle-like strings built from caption1/caption2 of ACD test tier 2. Reported:
  baseline  PTBTokenizer (hyps, refs) + Bleu(4) + Meteor() (own JVM) + Rouge() + Cider(), sequentially
  cold      first score_texts(..., "lexical") in this process (starts its METEOR JVM, tokenizes references)
  warm      a second call on the same texts: the METEOR JVM is running and tokenized references / CIDEr-D
            document frequencies are cached; nothing hypothesis-side is cached, everything is recomputed
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import numpy as np

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared/data/adiff_official/ACD/acd_test_adiff_sentence_answer.csv"


def load(path: Path, n: int | None) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:n]
    hyps = [f"Audio 1 has {r['caption1']}, while Audio 2 has {r['caption2']}." for r in rows]
    return hyps, [r["answer"] for r in rows]


def baseline(hyps: list[str], refs: list[str]) -> dict[str, tuple[float, np.ndarray]]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({i: [{"caption": r}] for i, r in enumerate(refs)})
    res = tokenizer.tokenize({i: [{"caption": h}] for i, h in enumerate(hyps)})
    out: dict[str, tuple[float, np.ndarray]] = {}
    bleu, items = Bleu(4).compute_score(gts, res, verbose=0)
    for n in range(4):
        out[f"BLEU-{n + 1}"] = (bleu[n], np.array(items[n]))
    meteor = Meteor()
    score, items = meteor.compute_score(gts, res)
    out["METEOR"] = (score, np.array(items))
    del meteor
    out["ROUGE-L"] = Rouge().compute_score(gts, res)
    out["CIDEr-D"] = Cider().compute_score(gts, res)
    return out


def identical(ours: dict, theirs: dict[str, tuple[float, np.ndarray]]) -> dict[str, bool]:
    return {
        name: ours[name].corpus == corpus and np.array_equal(ours[name].per_item, per_item)
        for name, (corpus, per_item) in theirs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None, help="first N items (default: all)")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = parser.parse_args()
    hyps, refs = load(args.csv, args.n)
    print(f"items: {len(hyps)}  cpus: {os.cpu_count()}  load average before: {os.getloadavg()}")

    start = time.perf_counter()
    theirs = baseline(hyps, refs)
    t_base = time.perf_counter() - start

    from adiff_bench.metrics.suite import score_texts

    walls, checks = [], []
    for _ in range(2):
        start = time.perf_counter()
        ours = score_texts(hyps, refs, "lexical")
        walls.append(time.perf_counter() - start)
        checks.append(identical(ours, theirs))

    print(f"load average after: {os.getloadavg()}")
    print(f"pycocoevalcap sequential : {t_base:8.2f} s")
    for label, wall in zip(("adiff-bench cold", "adiff-bench warm"), walls, strict=True):
        print(f"{label:<25}: {wall:8.2f} s   ratio {wall / t_base:.3f}")
    for label, check in zip(("cold", "warm"), checks, strict=True):
        differing = [name for name, same in check.items() if not same]
        print(f"identical numbers ({label}): {'yes' if not differing else 'NO: ' + ', '.join(differing)}")
    from adiff_bench.metrics.base import get_reducer

    print("corpus scores (pycocoevalcap) and |reduce(stats.sum(0)) - corpus| of ours:")
    for name, (corpus, _) in theirs.items():
        result = ours[name]
        gap = abs(float(get_reducer(result.reducer)(result.stats.sum(axis=0))) - corpus)
        print(f"  {name:<8} {corpus:.12f}   stats gap {gap:.3g}")


if __name__ == "__main__":
    main()
