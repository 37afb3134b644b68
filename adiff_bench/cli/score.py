"""``adiff-bench score``: re-score saved predictions without loading a model."""

from __future__ import annotations

import argparse
import sys

from adiff_bench.cli.common import (
    add_format_option,
    add_metric_options,
    add_signatures_option,
    add_task_options,
    print_scores,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="score a predictions.jsonl (no model needed)")
    parser.add_argument("predictions", help="a predictions.jsonl (the task is read from spec.json beside it)")
    add_task_options(parser, required=False)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=None, help="where to write the scores JSON (default: beside the file)")
    add_metric_options(parser)
    add_format_option(parser)
    add_signatures_option(parser)
    parser.set_defaults(func=score_command)


def score_command(args: argparse.Namespace) -> int:
    from adiff_bench.api import score_file

    record = score_file(
        args.predictions,
        dataset=args.dataset,
        tier=args.tier,
        split=args.split,
        data_dir=args.data_dir,
        metrics=args.metrics,
        ci=args.ci,
        n_resamples=args.n_resamples,
        seed=args.seed,
        output=args.output,
    )
    print_scores(record, args.format, args.signatures)
    print(f"scores written to {record['written_to']}", file=sys.stderr)
    return 0
