"""``adiff-bench export-samples``: every scored item of some runs as one CSV or parquet table."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export-samples",
        help="write one row per item per run (prediction, reference, per-item metric scores) to CSV or parquet",
        description="Write one row per item per run (the table adiff_bench.load_runs returns) to a file.",
    )
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run folders, or folders holding them")
    parser.add_argument(
        "--output", required=True, metavar="FILE", help="FILE.csv, or FILE.parquet (needs pyarrow or fastparquet)"
    )
    parser.set_defaults(func=export_samples_command)


def export_samples_command(args: argparse.Namespace) -> int:
    from adiff_bench.runs.table import export_samples

    path, rows = export_samples(args.run_dirs, args.output)
    print(f"{rows} rows written to {path}", file=sys.stderr)
    return 0
