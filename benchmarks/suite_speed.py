"""Suite speed: one run over all tiers with each clip prepared and encoded once, vs. separate per-tier runs.

Full-size ADIFF with RANDOM weights (``random:SEED``; text is meaningless, only cost and token agreement are
measured) on the REAL ACD test pair structure (the CSVs under --data-dir), over placeholder audio this script
writes to a temporary folder in the official layout (10 s, 44.1 kHz 16-bit wav like AudioCaps, so every clip
is resampled to ADIFF's 32 kHz).

Tiers: ACD test ships tiers 1 (few words) and 2 (a sentence), over the same 4,680 pairs (checked below). The
public data has no ACD test tier 3 CSV, so tier 3 here is the SAME test pairs with the tier-3 prompt, and its
decode length is measured on the ACD val tier-3 references (the paper's three tiers repeat the pairs).

Each tier decodes to a realistic length: the mean GPT-2 token count of that tier's references (stop disabled,
so every row generates exactly that many tokens). Pairs are a seeded random subset (--pairs; as ``run --limit``
picks) or all of them (--full). Both sides run in this process on the same model:

- separate: three tier runs as today: each pair reads + resamples both clips and sends both through the audio
  encoder (HTSAT, projection, per-audio prefix mappers), nothing shared;
- suite: one run over the three tiers through ``ClipCache`` (each clip read + resampled once) and
  ``ClipEncodings`` (each distinct clip through the audio encoder once).

Stages, timed separately: read+resample, encode (the per-clip work, everything before the prompt enters),
prompt+join (prompt mapper, separator, cross-projection: per pair on both sides, since it depends on the
prompt), decode (greedy, KV cache), score (--metrics on each tier's predictions; the predictions are identical
on both sides, so each tier is scored once and that time counts on both sides). The audio side is
read+resample + encode. Both sides join the per-clip encodings the same way; tests/adiff checks that this
path gives the golden fixture's token ids, as the one-call path does. Batches follow the
runner: --batch-size pairs per model call, split into --decode-batch-size chunks for the network.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/suite_speed.py --data-dir ../shared/data/adiff_official
    ... --pairs 30            # a quick check;   --full   all 4,680 pairs x 3 tiers;   --device cuda
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import tempfile
import time
from collections import Counter
from pathlib import Path

TIERS = (1, 2, 3)
CLIP_SECONDS = 10.0
FILE_RATE = 44100


def _rows(path: Path) -> list[dict]:
    from adiff_bench.data.tasks import read_rows

    return [dict(row) for _, row in read_rows(path)]


def _csv(data_dir: Path, dataset: str, split: str, tier: int) -> Path:
    from adiff_bench.data.tasks import TIER_NAMES

    return data_dir / dataset.upper() / f"{dataset}_{split}_adiff_{TIER_NAMES[tier]}_answer.csv"


def _structure(rows: list[dict]) -> tuple[int, int]:
    """(pairs, distinct clips) of one CSV."""
    return len(rows), len({r[k] for r in rows for k in ("filepath1", "filepath2")})


def _write_audio(root: Path, files: list[str], seed: int) -> None:
    """Placeholder clips in the official layout: a seeded tone + noise per file, 10 s at 44.1 kHz, PCM 16."""
    import numpy as np
    import soundfile as sf

    from adiff_bench.audio.pipeline import resolve_audio_path

    t = np.arange(int(CLIP_SECONDS * FILE_RATE)) / FILE_RATE
    for i, name in enumerate(files):
        rng = np.random.default_rng([seed, i])
        wave = 0.3 * np.sin(2 * np.pi * rng.uniform(100, 4000) * t) + 0.05 * rng.standard_normal(t.size)
        path = resolve_audio_path(root, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), wave.astype(np.float32), FILE_RATE, subtype="PCM_16")


class _Timer:
    def __init__(self, sync) -> None:
        self.sync = sync
        self.seconds: Counter[str] = Counter()

    def __call__(self, stage: str, fn, *args):
        self.sync()
        start = time.perf_counter()
        out = fn(*args)
        self.sync()
        self.seconds[stage] += time.perf_counter() - start
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, type=Path, help="folder with ACD/ and CLD/ official CSVs")
    parser.add_argument("--pairs", type=int, default=100, help="seeded random subset of ACD test pairs")
    parser.add_argument("--full", action="store_true", help="all ACD test pairs (4,680 x 3 tiers)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=8, help="pairs per model call (the run's --batch-size)")
    parser.add_argument("--decode-batch-size", type=int, default=32, help="pairs the network runs together")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--tokenizer", default=None, help="folder with GPT-2 vocab.json + merges.txt")
    parser.add_argument("--metrics", default="lexical", help="score stage metrics (as run --metrics)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()

    import numpy as np
    import torch

    from adiff_bench.audio.clipcache import ClipCache
    from adiff_bench.audio.encodings import ClipEncodings
    from adiff_bench.audio.pipeline import AudioPolicy, load_clip, resolve_audio_path
    from adiff_bench.metrics.suite import score_texts
    from adiff_bench.models.adiff.adapter import AdiffModel
    from adiff_bench.models.adiff.decode import greedy_decode
    from adiff_bench.models.adiff.tokenizer import decode as decode_text
    from adiff_bench.models.base import Request

    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    data = args.data_dir
    tier_rows = {1: _rows(_csv(data, "acd", "test", 1)), 2: _rows(_csv(data, "acd", "test", 2))}
    val3 = _rows(_csv(data, "acd", "val", 3))
    pairs_of = {t: [(r["filepath1"], r["filepath2"]) for r in rows] for t, rows in tier_rows.items()}
    if pairs_of[1] != pairs_of[2]:
        raise SystemExit("ACD test tiers 1 and 2 do not list the same pairs; this benchmark assumes they do")
    all_pairs = pairs_of[1]
    prompts = {1: tier_rows[1][0]["input"], 2: tier_rows[2][0]["input"], 3: val3[0]["input"]}
    references = {1: [r["answer"] for r in tier_rows[1]], 2: [r["answer"] for r in tier_rows[2]]}

    tokenizer_dir = args.tokenizer
    if tokenizer_dir is None:
        fixture = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "adiff_tiny_golden"
        tokenizer_dir = str(fixture) if (fixture / "vocab.json").is_file() else None
    model = AdiffModel(
        checkpoint=f"random:{args.seed}",
        tokenizer=tokenizer_dir,
        device=args.device,
        threads=args.threads,
        decode_batch_size=args.decode_batch_size,
    )
    tok = model.tokenizer

    def mean_tokens(texts: list[str]) -> float:
        return float(np.mean([len(ids) for ids in tok(texts)["input_ids"]]))

    ref_tokens = {t: mean_tokens(references[t]) for t in (1, 2)}
    ref_tokens[3] = mean_tokens([r["answer"] for r in val3])
    length = {t: max(1, round(v)) for t, v in ref_tokens.items()}

    n = len(all_pairs) if args.full else min(args.pairs, len(all_pairs))
    chosen = sorted(np.random.default_rng(args.seed).choice(len(all_pairs), size=n, replace=False).tolist())
    items = [(f"acd-test-{i:05d}", *all_pairs[i]) for i in chosen]
    refs_for = {t: [references[t][i] for i in chosen] for t in (1, 2)}
    refs_for[3] = [val3[i % len(val3)]["answer"] for i in chosen]  # tier-3 text for the score stage only
    files = sorted({f for _, a, b in items for f in (a, b)})
    uses = 2 * n * len(TIERS)
    reuse = uses / len(files)

    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    net = model.network
    gpt = net.caption_decoder.gpt
    encoder_rows: list[int] = []
    net.audio_encoder.register_forward_hook(lambda module, a, out: encoder_rows.append(a[0].shape[0]))
    policy = AudioPolicy.for_model(model.needs)

    with tempfile.TemporaryDirectory(prefix="adiff-suite-speed-") as tmp:
        root = Path(tmp) / "audio"
        t0 = time.perf_counter()
        _write_audio(root, files, args.seed)
        synth_s = time.perf_counter() - t0

        def decode_all(timer, reqs, tier):
            out = []
            for start in range(0, len(reqs), model.decode_batch_size):
                chunk = reqs[start : start + model.decode_batch_size]
                prefix = timer("prompt+join", model.prefixes, chunk)
                gens = timer(f"decode:{tier}", greedy_decode, gpt, prefix, length[tier], None)
                out += [g.token_ids for g in gens]
            return out

        def separate_load(root, name):
            return load_clip(resolve_audio_path(root, name), policy, name)

        clips, encodings = ClipCache(), ClipEncodings(model)

        def encode_each_pair(reqs):
            """Today's per-pair work: both clips of every pair through the audio encoder, nothing shared."""
            waves = [w for r in reqs for w in (r.audio1, r.audio2)]
            enc = model.encode_clips(waves)
            return [
                dataclasses.replace(r, encoding1=enc[2 * i], encoding2=enc[2 * i + 1]) for i, r in enumerate(reqs)
            ]

        def cached_load(root, name):
            return clips.load(resolve_audio_path(root, name), policy, name)

        # warm-up (first-call allocations, lazy imports), not timed
        warm = [Request("w", prompts[1], 1, audio1=np.zeros(32000, np.float32), audio2=np.ones(32000, np.float32))]
        greedy_decode(gpt, model.prefixes(warm), 2, None)
        model.encode_clips([warm[0].audio1])

        # The two sides alternate batch by batch, so a busy machine slows both alike.
        sides = {"separate": (separate_load, None), "suite": (cached_load, encodings)}
        timers = {side: _Timer(sync) for side in sides}
        ids: dict[str, dict] = {side: {} for side in sides}
        enc_clips = Counter()
        for tier in TIERS:
            for start in range(0, n, args.batch_size):
                batch = items[start : start + args.batch_size]
                for side, (load, cache) in sides.items():
                    timer = timers[side]

                    def build(batch=batch, tier=tier, load=load):
                        return [
                            Request(i, prompts[tier], tier, a, b, audio1=load(root, a), audio2=load(root, b))
                            for i, a, b in batch
                        ]

                    encoder_rows.clear()
                    reqs = timer("read+resample", build)
                    reqs = timer("encode", cache.attach if cache is not None else encode_each_pair, reqs)
                    for (item, _, _), t in zip(batch, decode_all(timer, reqs, tier), strict=True):
                        ids[side][(tier, item)] = t
                    enc_clips[side] += sum(encoder_rows)
        for timer in timers.values():
            timer.seconds["decode"] = sum(timer.seconds[f"decode:{t}"] for t in TIERS)
        sep_s, suite_s = timers["separate"].seconds, timers["suite"].seconds
        sep_ids, suite_ids = ids["separate"], ids["suite"]
        sep_enc, suite_enc = enc_clips["separate"], enc_clips["suite"]

    identical = sep_ids == suite_ids
    score_s: dict[int, float] = {}
    for tier in TIERS:
        texts = [decode_text(tok, suite_ids[(tier, item)]) for item, _, _ in items]
        t0 = time.perf_counter()
        score_texts(texts, refs_for[tier], args.metrics)
        score_s[tier] = time.perf_counter() - t0
    total_score = sum(score_s.values())
    sep_s["score"] = suite_s["score"] = total_score
    stages = ("read+resample", "encode", "prompt+join", "decode", "score")
    audio = ("read+resample", "encode")
    end_to_end = sum(sep_s[s] for s in stages) / sum(suite_s[s] for s in stages)
    audio_side = sum(sep_s[s] for s in audio) / sum(suite_s[s] for s in audio)
    cstats, estats = clips.stats(), encodings.stats()

    print(f"ADIFF suite benchmark: full-size architecture, RANDOM weights (random:{args.seed}), NOT trained")
    print(
        f"device {device}, torch threads {args.threads}, torch {torch.__version__}, {platform.machine()}; "
        f"run batch {args.batch_size}, decode batch {args.decode_batch_size}"
    )
    which = "all" if n == len(all_pairs) else f"seeded subset, seed {args.seed}"
    print(
        f"pairs: {n} of {len(all_pairs)} ACD test pairs ({which})"
        f" x tiers {','.join(map(str, TIERS))}; placeholder audio: {len(files)} clips, 10 s 44.1 kHz wav "
        f"(written in {synth_s:.1f} s)"
    )
    print(
        "decode length per tier = mean reference tokens (stop disabled): "
        + ", ".join(f"tier {t} {length[t]} ({ref_tokens[t]:.1f})" for t in TIERS)
        + "; tier 3 = test pairs with the tier-3 prompt, length from ACD val tier 3"
    )
    print(f"reuse factor r = clip uses / distinct clips = {uses} / {len(files)} = {reuse:.2f}")
    print(
        f"separate: clips read {uses}, encoder forward passes (clips) {sep_enc}; "
        f"suite: clips read {cstats.decoded}, encoder forward passes (clips) {suite_enc}"
        f" (= distinct clips: {suite_enc == len(files)})"
    )
    print(f"{'seconds per stage':<18}{'separate':>10}{'suite':>10}")
    for s in stages:
        print(f"{s:<18}{sep_s[s]:>10.1f}{suite_s[s]:>10.1f}")
    print(f"{'total':<18}{sum(sep_s[s] for s in stages):>10.1f}{sum(suite_s[s] for s in stages):>10.1f}")
    print(f"(score: {args.metrics}, measured once per tier on the identical predictions, counted on both sides)")
    print(
        f"suite speed-up: end-to-end {end_to_end:.2f} x, audio side {audio_side:.2f} x, reuse r {reuse:.2f}, "
        f"outputs identical: {identical}"
    )
    print(f"audio side / reuse = {audio_side / reuse:.2f} (target >= 0.7)")

    # ---- projection for the full ACD + CLD benchmark from measured per-unit costs and exact counts ----
    per_use_read = sep_s["read+resample"] / uses
    per_pair_encode_sep = sep_s["encode"] / (n * len(TIERS))
    per_clip_encode = estats.seconds / max(1, estats.encoded)
    per_pair_join = (sep_s["prompt+join"] + suite_s["prompt+join"]) / 2 / (n * len(TIERS))
    per_pair_attach = (suite_s["encode"] - estats.seconds) / (n * len(TIERS))  # cache lookups, digests
    per_clip_read = suite_s["read+resample"] / max(1, cstats.decoded)  # includes the cache's per-use lookups
    lookups_per_use = max(0.0, (suite_s["read+resample"] - cstats.seconds) / uses)
    # decode seconds per token per pair at each tier's length, the mean of both sides (they decode the same)
    sec_per_token = {t: (sep_s[f"decode:{t}"] + suite_s[f"decode:{t}"]) / 2 / (n * length[t]) for t in TIERS}
    cld1, cld2 = _rows(_csv(data, "cld", "evaluation", 1)), _rows(_csv(data, "cld", "evaluation", 2))
    cld_len = {1: mean_tokens([r["answer"] for r in cld1]), 2: mean_tokens([r["answer"] for r in cld2])}
    cld_len[3] = ref_tokens[3]
    full = {"ACD test": (_structure(tier_rows[1]), ref_tokens), "CLD evaluation": (_structure(cld1), cld_len)}
    per_item_score = total_score / (n * len(TIERS))
    proj = {"separate": Counter(), "suite": Counter()}
    print("PROJECTION (not measured): full ACD test + CLD evaluation, 3 tiers each, from the per-unit costs above")
    for name, ((pairs, distinct), lens) in full.items():
        slots = 2 * pairs * len(TIERS)
        print(f"  {name}: {pairs} pairs, {distinct} distinct clips, {slots} clip uses (r {slots / distinct:.1f})")
        for side in proj:
            proj[side]["decode"] += sum(pairs * lens[t] * sec_per_token[t] for t in TIERS)
            proj[side]["score"] += pairs * len(TIERS) * per_item_score
            proj[side]["prompt+join"] += pairs * len(TIERS) * per_pair_join
        proj["separate"]["read+resample"] += slots * per_use_read
        proj["separate"]["encode"] += pairs * len(TIERS) * per_pair_encode_sep
        proj["suite"]["read+resample"] += distinct * per_clip_read + slots * lookups_per_use
        proj["suite"]["encode"] += distinct * per_clip_encode + pairs * len(TIERS) * per_pair_attach
    print(f"  {'hours per stage':<18}{'separate':>10}{'suite':>10}")
    for s in stages:
        print(f"  {s:<18}{proj['separate'][s] / 3600:>10.2f}{proj['suite'][s] / 3600:>10.2f}")
    tot = {side: sum(c.values()) for side, c in proj.items()}
    print(f"  {'total':<18}{tot['separate'] / 3600:>10.2f}{tot['suite'] / 3600:>10.2f}")
    aud = {side: proj[side]["read+resample"] + proj[side]["encode"] for side in proj}
    print(
        f"  projected suite speed-up: end-to-end {tot['separate'] / tot['suite']:.2f} x, "
        f"audio side {aud['separate'] / aud['suite']:.2f} x (CLD tier 3 decoded at the ACD val tier-3 length)"
    )
    load_after = os.getloadavg()[0]
    print(f"1-min load average {load_before:.2f} before, {load_after:.2f} after")

    if args.json:
        report = {
            "pairs": n,
            "distinct_clips": len(files),
            "clip_uses": uses,
            "reuse": reuse,
            "decode_lengths": length,
            "separate_seconds": dict(sep_s),
            "suite_seconds": dict(suite_s),
            "encoder_clips": {"separate": sep_enc, "suite": suite_enc},
            "clips_read": {"separate": uses, "suite": cstats.decoded},
            "end_to_end_speedup": end_to_end,
            "audio_side_speedup": audio_side,
            "outputs_identical": identical,
            "projection_hours": {side: {k: v / 3600 for k, v in c.items()} for side, c in proj.items()},
            "load_average": [load_before, load_after],
        }
        args.json.write_text(json.dumps(report, indent=2))
    return 0 if identical and suite_enc == len(files) else 1


if __name__ == "__main__":
    raise SystemExit(main())
