"""How long 1,000 paired-bootstrap resamples of every metric take for two systems on 4,680 items (the ACD
test split), from stored sufficient statistics. Target: under 5 s on 2 cores.

The statistics are synthetic but laid out as the real metrics store them: BLEU-1..4 (10 count columns
each, reducers ``coco-bleu-n``), METEOR 1.5 segment statistics (25 columns, reducer ``meteor-1.5``) and
mean metrics (ROUGE-L, CIDEr, SPICE, BERTScore, sentence-BERT). The real reducers from
``adiff_bench.metrics.reducers`` are used. Clip structure: the real ACD test CSV when found, else an
ACD-like synthetic one. For scale, one pycocoevalcap BLEU+ROUGE+CIDEr call on 4,680 synthetic sentences is
timed too (``--skip-naive`` to leave it out): a naive bootstrap would make that call once per resample.

    .venv/bin/python benchmarks/stats_speed.py [--n-resamples 1000] [--repeats 3] [--skip-naive] [--calibration N]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from adiff_bench.metrics.base import MetricResult, get_reducer, mean_stats
from adiff_bench.metrics.reducers import BLEU_MAX_N, METEOR_STATS
from adiff_bench.stats import bootstrap_intervals, clusters_for_pairs, paired_tests

N_ITEMS = 4680
ACD_TEST = (
    Path(__file__).resolve().parents[1].parent / "shared/data/adiff_official/ACD/acd_test_adiff_sentence_answer.csv"
)


def bleu_stats(rng: np.random.Generator, n: int) -> np.ndarray:
    testlen = rng.poisson(30, n) + 3
    reflen = rng.poisson(34, n) + 3
    guesses = [np.maximum(testlen - k, 0) for k in range(BLEU_MAX_N)]
    correct = [rng.binomial(g, 0.55 * 0.55**k) for k, g in enumerate(guesses)]
    return np.stack([*correct, *guesses, testlen, reflen], axis=1).astype(np.float64)


def meteor_stats(rng: np.random.Generator, n: int) -> np.ndarray:
    col = {name: i for i, name in enumerate(METEOR_STATS)}
    out = np.zeros((n, len(METEOR_STATS)))
    tl, rl = rng.poisson(30, n) + 3, rng.poisson(34, n) + 3
    tfw, rfw = rng.binomial(tl, 0.4), rng.binomial(rl, 0.4)
    exact_c = rng.binomial(tl - tfw, 0.3)
    exact_f = rng.binomial(tfw, 0.5)
    for side, length, fw in (("test", tl, tfw), ("ref", rl, rfw)):
        out[:, col[f"{side}_length"]] = length
        out[:, col[f"{side}_function_words"]] = fw
        out[:, col[f"{side}_total_matches"]] = exact_c + exact_f
        out[:, col[f"{side}_content_matches_0"]] = exact_c
        out[:, col[f"{side}_function_matches_0"]] = exact_f
        out[:, col[f"{side}_word_matches"]] = exact_c + exact_f
    out[:, col["chunks"]] = np.maximum(1, rng.binomial(exact_c + exact_f, 0.5))
    return out


def system(rng: np.random.Generator, n: int) -> dict[str, MetricResult]:
    results: dict[str, MetricResult] = {}
    bleu = bleu_stats(rng, n)
    for k in range(1, BLEU_MAX_N + 1):
        results[f"bleu_{k}"] = _result(f"bleu_{k}", bleu, f"coco-bleu-{k}")
    results["meteor"] = _result("meteor", meteor_stats(rng, n), "meteor-1.5")
    for name, scale in (("rouge_l", 0.3), ("cider", 0.5), ("spice", 0.15), ("bertscore", 0.6), ("sbert", 0.5)):
        results[name] = _result(name, mean_stats(np.abs(rng.normal(scale, 0.1, n))), "mean")
    return results


def _result(name: str, stats: np.ndarray, reducer: str) -> MetricResult:
    return MetricResult(name, f"{name}-bench", float(get_reducer(reducer)(stats.sum(0))), None, stats, reducer)


def clip_pairs(n: int, rng: np.random.Generator) -> tuple[list[tuple[str, str]], str]:
    if ACD_TEST.is_file():
        with open(ACD_TEST, encoding="utf-8") as handle:
            pairs = [(r["filepath1"], r["filepath2"]) for r in csv.DictReader(handle)]
        if len(pairs) == n:
            return pairs, f"real ACD test clip pairs ({ACD_TEST.name})"
    first = np.repeat(np.arange(n // 5 + 1), 5)[:n]
    second = (first + rng.integers(1, n // 5, n)) % (n // 5 + 1)
    return [(f"c{a}", f"c{b}") for a, b in zip(first, second, strict=True)], "synthetic ACD-like clip pairs"


def best_of(repeats: int, fn: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), float(np.median(times))


def naive_coco_seconds(n: int, rng: np.random.Generator) -> float:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge

    vocab = [f"w{i}" for i in range(800)]

    def sentence() -> str:
        return " ".join(rng.choice(vocab, size=int(rng.integers(15, 40))))

    gts = {i: [sentence()] for i in range(n)}
    res = {i: [sentence()] for i in range(n)}
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # BleuScorer prints its counts
        for scorer in (Bleu(4), Rouge(), Cider()):
            scorer.compute_score(gts, res)
    return time.perf_counter() - start


def calibration(pairs: list[tuple[str, str]], n_sims: int, rng: np.random.Generator) -> None:
    """Bootstrap SD vs the true SD of a mean under v_ab = g_a + g_b + e_ab on this clip structure, and the
    type-I error of both paired tests for exchangeable systems; all numbers simulated here."""
    from adiff_bench.stats.bootstrap import draw as resampled_draws
    from adiff_bench.stats.bootstrap import dyadic_rescale
    from adiff_bench.stats.paired import paired_test
    from adiff_bench.stats.resampling import make_scheme

    codes = clusters_for_pairs(pairs)
    n_clips = int(codes.max()) + 1
    print(f"calibration on {len(pairs)} pairs / {n_clips} clips, {n_sims} simulations per row:")
    for clip_sd in (0.0, 0.5, 1.0):

        def draw(clip_sd: float = clip_sd) -> np.ndarray:
            g = rng.normal(0, clip_sd, n_clips)
            return g[codes[:, 0]] + g[codes[:, 1]] + rng.normal(0, 1, len(codes))

        true_sd = float(np.std([draw().mean() for _ in range(2000)]))
        sds: dict[str, list[float]] = {"items": [], "first clip": [], "clips, raw": [], "clips, calibrated": []}
        for sim in range(n_sims):
            result = [_mean(draw())]
            for label, clusters in (("items", None), ("first clip", codes[:, 0]), ("clips", codes)):
                drawn = resampled_draws(result, make_scheme(len(codes), clusters), 400, sim)
                if drawn.reference is None:
                    sds[label].append(float(np.std(drawn.samples[0])))
                    continue
                sds["clips, raw"].append(float(np.std(drawn.samples[0])))
                calibrated = dyadic_rescale(drawn.samples[0], drawn.reference[0], drawn.centers[0])
                sds["clips, calibrated"].append(float(np.std(calibrated)))
        shown = ", ".join(f"{k} {np.mean(v) / true_sd:.2f}" for k, v in sds.items())
        print(f"  clip effect sd {clip_sd}: bootstrap SD / true SD: {shown}")
    for own_sd in (0.0, 0.5):
        for test in ("bootstrap", "randomization"):
            rejections = 0
            for sim in range(n_sims):
                g = rng.normal(0, 1.0, n_clips)
                shared = g[codes[:, 0]] + g[codes[:, 1]]
                runs = []
                for _ in range(2):
                    own = rng.normal(0, own_sd, n_clips)  # the system's own clip-level strengths
                    runs.append(
                        {"m": _mean(shared + own[codes[:, 0]] + own[codes[:, 1]] + rng.normal(0, 1, len(codes)))}
                    )
                result = paired_test(runs[0], runs[1], test=test, n_resamples=200, seed=sim, clusters=codes)["m"]
                rejections += result.p_value < 0.05
            print(
                f"  equally good systems (own clip-strength sd {own_sd}), {test} with clip pairs: "
                f"rejected at p<0.05 in {rejections}/{n_sims} simulations"
            )


def _mean(values: np.ndarray) -> MetricResult:
    return MetricResult("m", "m", float(values.mean()), None, mean_stats(values), "mean")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-resamples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--calibration", type=int, default=0, metavar="N", help="also run N calibration simulations")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    systems = {"a": system(rng, N_ITEMS), "b": system(rng, N_ITEMS)}
    pairs, source = clip_pairs(N_ITEMS, rng)
    clusters = clusters_for_pairs(pairs)
    n_columns = sum(r.stats.shape[1] for r in systems["a"].values())
    print(
        f"{N_ITEMS} items, 2 systems, {len(systems['a'])} metrics ({n_columns} stat columns per system), "
        f"{args.n_resamples} resamples; {source}; best / median of {args.repeats}"
    )
    cases = {
        "paired bootstrap, items resampled": lambda: paired_tests(
            systems, baseline="a", n_resamples=args.n_resamples, test="bootstrap"
        ),
        "paired bootstrap, clips resampled": lambda: paired_tests(
            systems, baseline="a", n_resamples=args.n_resamples, test="bootstrap", clusters=clusters
        ),
        "approximate randomization + bootstrap delta CIs, clips": lambda: paired_tests(
            systems, baseline="a", n_resamples=args.n_resamples, test="randomization", clusters=clusters
        ),
        "CIs for one system, clips resampled": lambda: bootstrap_intervals(
            systems["a"], n_resamples=args.n_resamples, clusters=clusters
        ),
    }
    for name, fn in cases.items():
        best, median = best_of(args.repeats, fn)
        verdict = "meets" if median < 5.0 else "MISSES"
        print(f"  {name:<56s} {best:6.3f} s / {median:6.3f} s  ({verdict} the 5 s target)")
    if args.calibration:
        calibration(pairs, args.calibration, rng)
    if args.skip_naive:
        return
    try:
        seconds = naive_coco_seconds(N_ITEMS, rng)
    except ImportError as exc:
        print(f"  naive recomputation not timed: pycocoevalcap unavailable ({exc})")
        return
    print(
        f"  one pycocoevalcap BLEU+ROUGE+CIDEr call on {N_ITEMS} synthetic sentences: {seconds:.2f} s "
        f"(x2 systems x {args.n_resamples} resamples = {seconds * 2 * args.n_resamples / 3600:.1f} h if recomputed)"
    )


if __name__ == "__main__":
    main()
