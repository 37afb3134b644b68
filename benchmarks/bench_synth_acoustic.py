"""Time synth generation and the acoustic baseline's analysis (targets: ≤ 10 s and ≤ 15 s on 2 cores).

Usage: .venv/bin/python benchmarks/bench_synth_acoustic.py [--n-pairs 200] [--seed 0]
Prints wall-clock and process CPU seconds; the machine's load average is printed too, because wall
time on a shared machine says as much about the neighbours as about the code.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from adiff_bench.audio.pipeline import AudioPolicy, load_clip, resolve_audio_path
    from adiff_bench.data.synth import ensure_synth
    from adiff_bench.data.tasks import load_task, make_task_spec
    from adiff_bench.diagnostics import diagnose
    from adiff_bench.models.acoustic import AcousticBaseline
    from adiff_bench.models.base import Request

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = time.perf_counter(), time.process_time()
        folder = ensure_synth(Path(tmp) / "synth", seed=args.seed, n_pairs=args.n_pairs)
        gen_wall, gen_cpu = time.perf_counter() - wall, time.process_time() - cpu
        size_mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
        print(f"synth generation, {args.n_pairs} pairs: {gen_wall:.2f} s wall, {gen_cpu:.2f} s CPU, {size_mb:.0f} MiB")

        task = load_task(make_task_spec("synth", 2), data_dir=folder)
        model = AcousticBaseline()
        policy = AudioPolicy.for_model(model.needs)
        wall, cpu = time.perf_counter(), time.process_time()
        requests = [
            Request(
                item.item_id,
                item.prompt,
                2,
                audio1=load_clip(resolve_audio_path(folder, item.audio1), policy, item.audio1),
                audio2=load_clip(resolve_audio_path(folder, item.audio2), policy, item.audio2),
            )
            for item in task.items
        ]
        texts = model.generate(requests)
        an_wall, an_cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"acoustic load + analysis, {2 * len(requests)} clips: {an_wall:.2f} s wall, {an_cpu:.2f} s CPU")
        report = diagnose(task, {item.item_id: text for item, text in zip(task.items, texts, strict=True)})
        print(report.to_markdown())
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
