"""``adiff-bench compare``: scores with CIs and paired significance tests across scored runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from adiff_bench.errors import AdiffBenchError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare scored runs: CIs, deltas vs a baseline, Holm-adjusted paired tests",
        description="Compare two or more scored run directories of the same task. Items are aligned by id; "
        "with --cluster auto, clips are resampled when they repeat across items (ACD, CLD).",
    )
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN", help="run directories (at least two)")
    parser.add_argument("--baseline", help="the run to compare against (a directory or its name; default: the first)")
    parser.add_argument(
        "--metrics", action="append", help="metrics to compare, comma separated, repeatable (default: all shared)"
    )
    parser.add_argument(
        "--n-resamples",
        type=int,
        default=None,
        help="bootstrap resamples / randomization trials (default: 1000, raised automatically to 20 x comparisons "
        "/ 0.05 when there are more comparisons than 1000 resamples can resolve after Holm's correction, and said "
        "so in the output; a number given here is kept as is)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the resamples (default 0)")
    parser.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals")
    parser.add_argument(
        "--test",
        choices=("bootstrap", "randomization"),
        default="bootstrap",
        help="paired bootstrap (resampled like the CIs: the valid choice when clips repeat) or approximate "
        "randomization (per-item swaps; over-rejects when systems have clip-level strengths)",
    )
    parser.add_argument(
        "--cluster",
        choices=("auto", "clip", "none"),
        default="auto",
        help="clip: resample clips (pairs sharing a clip are dependent); none: resample items; "
        "auto: clip when clips repeat across items (ACD, CLD)",
    )
    parser.add_argument("--format", choices=("md", "latex", "json"), default="md")
    parser.add_argument("--output", type=Path, help="also write the table to this file (atomically)")
    parser.add_argument(
        "--plot", type=Path, default=None, metavar="PATH", help="also draw a forest plot of the differences with "
        "their CIs to PATH (.png, .svg or .pdf)"
    )  # fmt: skip
    parser.set_defaults(func=run_compare)


def _baseline_index(runs: list[Path], baseline: str | None) -> int:
    if baseline is None:
        return 0
    for i, run in enumerate(runs):
        if run.name == baseline or run.resolve() == Path(baseline).resolve():
            return i
    raise AdiffBenchError(f"--baseline {baseline!r} is not one of the runs given: {', '.join(map(str, runs))}")


def run_compare(args: argparse.Namespace) -> int:
    import json

    from adiff_bench.compare import compare_runs, load_run
    from adiff_bench.io_utils import atomic_write_text

    if len(args.runs) < 2:
        raise AdiffBenchError("compare needs at least two run directories")
    if args.plot is not None:
        from adiff_bench.plots import check_plot_path

        check_plot_path(args.plot)  # before any resampling: a bad path fails fast
    if args.n_resamples is not None and args.n_resamples <= 0:
        raise AdiffBenchError("--n-resamples must be positive")
    metrics = [m for part in args.metrics for m in part.split(",") if m] if args.metrics else None
    comparison = compare_runs(
        [load_run(path) for path in args.runs],
        baseline=_baseline_index(args.runs, args.baseline),
        metrics=metrics,
        n_resamples=args.n_resamples,
        seed=args.seed,
        test=args.test,
        cluster=args.cluster,
        level=args.level,
    )
    if args.format == "json":
        text = json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "latex":
        text = comparison.to_latex()
    else:
        text = comparison.to_markdown()
    print(text, end="")
    if args.output is not None:
        atomic_write_text(args.output, text)
    if args.plot is not None:
        import sys

        from adiff_bench.plots import plot_comparison

        print(f"plot written to {plot_comparison(comparison, args.plot)}", file=sys.stderr)
    return 0
