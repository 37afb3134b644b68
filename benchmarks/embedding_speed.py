"""Wall time of Sentence-BERT cosine and BERTScore F1 on ACD test tier 2 with a cold and a warm
reference-embedding cache.

Hypotheses are built from the two captions of each pair (what a caption-oracle system would say);
references are the official tier-2 answers. Every figure printed is measured in this run.

    .venv/bin/python benchmarks/embedding_speed.py --n 1000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "adiff_official"


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None, help="score a seeded random subset of N pairs (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--metrics", default="sbert,bertscore", help="comma list of sbert,bertscore")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cache = Path(tempfile.mkdtemp(prefix="adiff-embbench-"))
    os.environ["ADIFF_BENCH_CACHE"] = str(cache)  # a fresh cache: the first pass is truly cold

    import torch

    from adiff_bench.data.tasks import load_task, make_task_spec, subset
    from adiff_bench.metrics.embedding import bertscore_f1, sbert_similarity

    task = load_task(make_task_spec("acd", 2, "test"), args.data_dir)
    items = subset(task.items, args.n, args.seed)
    hyps = [
        f"the first audio has {it.caption1.strip()}, while the second audio has {it.caption2.strip()}" for it in items
    ]
    refs = [it.reference for it in items]
    print(f"ACD test tier 2: {len(items)} of {len(task.items)} pairs ({task.csv_path})")
    print(f"{len(set(refs))} distinct references; torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"device: {'cuda' if torch.cuda.is_available() else 'cpu'}; cache {cache}")
    print(
        f"load average at start (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )

    metrics = {"sbert": sbert_similarity, "bertscore": bertscore_f1}
    for name in args.metrics.split(","):
        fn = metrics[name.strip()]
        t0 = time.perf_counter()
        fn(["model warm-up"], ["load the model once"])  # model load, kept out of the cold/warm figures
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        cold = fn(hyps, refs)
        cold_s = time.perf_counter() - t0
        size = _du(cache / "embeddings")
        t0 = time.perf_counter()
        warm = fn(hyps, refs)
        warm_s = time.perf_counter() - t0
        same = bool((cold.per_item == warm.per_item).all())
        print(
            f"{name:9s} load {load:6.2f}s | cold {cold_s:7.2f}s ({len(items) / cold_s:7.1f} pairs/s) | "
            f"warm {warm_s:7.2f}s ({len(items) / warm_s:7.1f} pairs/s) | speed-up {cold_s / warm_s:4.2f}x | "
            f"score {cold.corpus:.4f} | warm==cold {same} | cache {size / 2**20:.1f} MiB"
        )
    print(f"load average at end (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"(cache left at {cache}; delete it when done)")


if __name__ == "__main__":
    main()
