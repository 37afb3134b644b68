"""Wall time of the lexical suite vs. calling pycocoevalcap's scorers one after another, same numbers.

Run: .venv/bin/python benchmarks/metrics_speed.py [--n N] [--csv PATH] [--repeats R]

Predictions are caption-oracle-like strings built from caption1/caption2 of ACD test tier 2. Reported
(medians over R alternating repeats, so machine noise hits both sides alike):
  baseline  PTBTokenizer (hyps, refs) + Bleu(4) + Meteor() (own JVM) + Rouge() + Cider(), sequentially,
            timed in this process
  cold      the first score_texts(..., "lexical") call in a FRESH Python process (imports excluded): starts
            its METEOR jar processes on the paraphrase subset, reading the paraphrase index from disk,
            tokenizes references, computes CIDEr-D document frequencies
  warm      a second call in that process on the same texts: METEOR processes running, tokenized
            references / CIDEr-D reference side cached; everything hypothesis-side is recomputed
  index     building METEOR's paraphrase index from pycocoevalcap's table, into an empty folder: once per
            machine (then it is on disk; `run` builds it while the model generates), not part of cold
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
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


def _ours_in_fresh_process(csv_path: Path, n: int | None, out: Path) -> tuple[float, float]:
    """(cold, warm) wall seconds measured inside a new interpreter; results saved to ``out`` (npz)."""
    code = f"""
import sys, time
import numpy as np
sys.path.insert(0, {str(Path(__file__).parent)!r})
from metrics_speed import load
from pathlib import Path
from adiff_bench.metrics.suite import score_texts
hyps, refs = load(Path({str(csv_path)!r}), {n!r})
walls = []
for _ in range(2):
    start = time.perf_counter()
    ours = score_texts(hyps, refs, "lexical")
    walls.append(time.perf_counter() - start)
arrays = {{f"{{k}}.per_item": r.per_item for k, r in ours.items()}}
arrays.update({{f"{{k}}.corpus": np.array(r.corpus) for k, r in ours.items()}})
arrays.update({{f"{{k}}.stats": r.stats for k, r in ours.items()}})
arrays.update({{f"{{k}}.reducer": np.array(r.reducer or "") for k, r in ours.items()}})
np.savez({str(out)!r}, walls=np.array(walls), **arrays)
"""
    subprocess.run([sys.executable, "-c", code], check=True)
    with np.load(out) as data:
        walls = data["walls"]
    return float(walls[0]), float(walls[1])


def _load_ours(path: Path) -> dict[str, object]:
    from adiff_bench.metrics.base import MetricResult

    with np.load(path) as data:
        names = sorted({key.split(".")[0] for key in data.files if key != "walls"})
        return {
            name: MetricResult(
                name=name,
                signature="",
                corpus=float(data[f"{name}.corpus"]),
                per_item=data[f"{name}.per_item"],
                stats=data[f"{name}.stats"],
                reducer=str(data[f"{name}.reducer"]) or None,
            )
            for name in names
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None, help="first N items (default: all)")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    hyps, refs = load(args.csv, args.n)
    print(f"items: {len(hyps)}  cpus: {os.cpu_count()}  load average before: {os.getloadavg()}")

    from adiff_bench.metrics.jvm import pycocoevalcap_file
    from adiff_bench.metrics.meteor import PARAPHRASE_TABLE
    from adiff_bench.metrics.meteor_paraphrase import build_or_load_index, index_root

    table = pycocoevalcap_file(PARAPHRASE_TABLE)
    build_or_load_index(table, index_root())  # on disk, as after any earlier run here

    t_base, t_cold, t_warm = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            start = time.perf_counter()
            theirs = baseline(hyps, refs)
            t_base.append(time.perf_counter() - start)
            cold, warm = _ours_in_fresh_process(args.csv, args.n, Path(tmp) / f"ours{k}.npz")
            t_cold.append(cold)
            t_warm.append(warm)
        ours = _load_ours(Path(tmp) / "ours0.npz")
        start = time.perf_counter()
        build_or_load_index(table, Path(tmp) / "fresh-index")
        t_index = time.perf_counter() - start

    base, cold, warm = (float(np.median(t)) for t in (t_base, t_cold, t_warm))
    print(f"load average after: {os.getloadavg()}")
    print(f"each run (s): baseline {_fmt(t_base)}; cold {_fmt(t_cold)}; warm {_fmt(t_warm)}")
    print(f"pycocoevalcap sequential : {base:8.2f} s   (median of {args.repeats})")
    print(f"adiff-bench cold         : {cold:8.2f} s   ratio {cold / base:.3f}")
    print(f"adiff-bench warm         : {warm:8.2f} s   ratio {warm / base:.3f}")
    print(f"paraphrase index build   : {t_index:8.2f} s   (once per machine; not part of cold/warm)")
    differing = [name for name, same in identical(ours, theirs).items() if not same]
    print(f"identical numbers: {'yes' if not differing else 'NO: ' + ', '.join(differing)}")
    from adiff_bench.metrics.base import get_reducer

    print("corpus scores (pycocoevalcap) and |reduce(stats.sum(0)) - corpus| of ours:")
    for name, (corpus, _) in theirs.items():
        result = ours[name]
        reducer = get_reducer(result.reducer) if result.reducer else None
        gap = abs(float(reducer(result.stats.sum(axis=0))) - corpus) if reducer else float("nan")
        print(f"  {name:<8} {corpus:.12f}   stats gap {gap:.3g}")


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
