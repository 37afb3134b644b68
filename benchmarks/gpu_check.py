"""One-shot GPU check for ADIFF (run on a machine with CUDA; everything printed is measured here).

1. golden fixture on cuda float32: intermediate tensors (atol 1e-4) and token ids vs. the official outputs;
2. the same in bfloat16 / float16, and in float32 with TF32 off (cudnn runs the STFT convolution in TF32 by
   default): how many of the 9 token sequences still match (reported, not required);
3. the decode benchmark on cuda (full-size random weights; official loop vs. batched KV cache).

    .venv/bin/python benchmarks/gpu_check.py [--golden-dir ../shared/fixtures/adiff_tiny_golden] [--skip-bench]
    bash benchmarks/gpu_check.sh   # on the lent GPU machine: wheels and fixture from .devcarry/ (see that file)
Exit status 1 when CUDA is missing or the float32 golden check fails. --device cpu runs the float32 golden check
and the benchmark on CPU (a dry run of the code path where no GPU is at hand).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _requests(golden_dir: Path, golden: dict) -> list:
    import numpy as np
    import soundfile as sf

    from adiff_bench.models.base import Request

    def clip(name: str) -> np.ndarray:
        audio, _ = sf.read(str(golden_dir / name), dtype="float32")
        return np.tile(audio, int(np.ceil(320000 / audio.size)))[:320000]

    return [
        Request(f"ex{e['index']}", e["prompt"], 1, audio1=clip(e["audio1"]), audio2=clip(e["audio2"]))
        for e in golden["examples"]
    ]


def golden_check(golden_dir: Path, dtype: str, device: str = "cuda") -> dict:
    import torch
    from safetensors.torch import load_file

    from adiff_bench.models.adiff.adapter import AdiffModel

    golden = json.loads((golden_dir / "golden.json").read_text())
    tensors = load_file(str(golden_dir / "golden_tensors.safetensors"))
    model = AdiffModel(
        checkpoint=str(golden_dir / "adiff_tiny_seed0.ckpt"),
        config=str(golden_dir / "config.json"),
        tokenizer=str(golden_dir),
        max_new_tokens=40,
        device=device,
        dtype=dtype,
    )
    requests = _requests(golden_dir, golden)
    prefix = model.prefixes(requests).float().cpu()
    max_diff = max(float((prefix[i] - tensors[f"ex{i}.prefix"][0]).abs().max()) for i in range(len(requests)))
    t0 = time.perf_counter()
    batched = model.generate_ids(requests)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    model.decode_batch_size = 1
    single = model.generate_ids(requests)
    expected = [e["token_ids"] for e in golden["examples"]]
    return {
        "dtype": dtype,
        "prefix_max_abs_diff": max_diff,
        "batched_identical": sum(list(g.token_ids) == e for g, e in zip(batched, expected, strict=True)),
        "single_identical": sum(list(g.token_ids) == e for g, e in zip(single, expected, strict=True)),
        "of": len(expected),
        "batched_seconds": seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--golden-dir", default=str(ROOT.parent / "shared" / "fixtures" / "adiff_tiny_golden"))
    parser.add_argument("--skip-bench", action="store_true")
    parser.add_argument("--bench-args", default="--new-tokens 64 --n-official 2 --batch-sizes 1,8,32,128")
    parser.add_argument("--device", default="cuda", help="cuda[:N] (default), or cpu for a float32-only dry run")
    args = parser.parse_args()

    if not (Path(args.golden_dir) / "golden.json").is_file():
        print(f"{args.golden_dir}: no golden.json there; pass --golden-dir (the adiff_tiny_golden fixture)")
        return 1
    import torch

    on_cuda = args.device.startswith("cuda")
    if on_cuda and not torch.cuda.is_available():
        print("CUDA is not available on this machine: nothing was checked")
        return 1
    name = torch.cuda.get_device_name(torch.device(args.device)) if on_cuda else "cpu"
    print(f"device: {name}, torch {torch.__version__}", flush=True)
    tf32 = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    if on_cuda:
        print(f"TF32 defaults: cudnn.allow_tf32={tf32[0]}, cuda.matmul.allow_tf32={tf32[1]}", flush=True)
    ok = True
    runs = [("float32", False), ("float32", True), ("bfloat16", False), ("float16", False)]
    for dtype, no_tf32 in runs if on_cuda else runs[:1]:
        label = f"{dtype}{' no-tf32' if no_tf32 else ''}"
        if no_tf32:
            torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
        try:
            r = golden_check(Path(args.golden_dir), dtype, args.device)
        except Exception:  # report and go on: one failing dtype should not hide the others or the benchmark
            traceback.print_exc()
            print(f"golden {label:>16}: ERROR (traceback above)", flush=True)
            ok = ok and label != "float32"
            continue
        finally:
            torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = tf32
        line = (
            f"golden {label:>16}: prefix max|diff| {r['prefix_max_abs_diff']:.2e}; token ids identical "
            f"{r['batched_identical']}/{r['of']} batched, {r['single_identical']}/{r['of']} one at a time "
            f"({r['batched_seconds']:.2f}s batched)"
        )
        print(line, flush=True)
        if label == "float32":
            passed = r["prefix_max_abs_diff"] <= 1e-4 and r["batched_identical"] == r["single_identical"] == r["of"]
            print(f"golden float32 on {args.device}: {'PASS' if passed else 'FAIL'}", flush=True)
            ok = ok and passed
    if not args.skip_bench:
        command = [sys.executable, str(ROOT / "benchmarks" / "adiff_decode.py"), "--device", args.device]
        command += args.bench_args.split()
        print("$ " + " ".join(command), flush=True)
        ok = subprocess.run(command, check=False).returncode == 0 and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
