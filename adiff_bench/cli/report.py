"""``adiff-bench report RUN_DIR...``: the suite table (models × dataset × tier × metric) from finished runs."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="the paper-style table of finished runs (rows = models, columns = dataset × tier × metric)"
    )
    parser.add_argument("runs", nargs="+", type=Path, help="run folders, or folders holding them (adiff-runs/MODEL)")
    parser.add_argument("--metrics", default=None, help="comma list of metrics or groups; default: all with a number")
    parser.add_argument(
        "--reported",
        type=Path,
        default=None,
        help="a reported.json (e.g. leaderboards/reported.json): the paper's numbers as rows marked 'reported'",
    )
    parser.add_argument("--format", choices=("table", "md", "latex", "json"), default="table")
    parser.add_argument("--output", type=Path, default=None, help="also write the table to this file (md/latex/json)")
    parser.set_defaults(func=report_command)


def finished_records(paths: list[Path]) -> list[dict]:
    """Run records under ``paths``: a run folder itself, or the run folders one level below it."""
    from adiff_bench.errors import DataError
    from adiff_bench.runs.rundir import RunDir

    records = []
    for path in paths:
        if not path.is_dir():
            raise DataError(f"{path}: no such folder; pass run folders written by `adiff-bench run`")
        candidates = [path] if (path / "results.json").is_file() else sorted(p for p in path.iterdir() if p.is_dir())
        found = [r for r in (RunDir(c).record() for c in candidates if (c / "results.json").is_file()) if r]
        if not found:
            raise DataError(f"{path}: no finished run (results.json) here or one level below; finish it with `run`")
        records += [record.to_json() for record in found]
    return records


def report_command(args: argparse.Namespace) -> int:
    from adiff_bench.cli.common import print_suite
    from adiff_bench.io_utils import atomic_write_text
    from adiff_bench.metrics.suite import resolve_metric_names
    from adiff_bench.suite.table import RENDERERS, suite_table_of

    records = finished_records(args.runs)
    metrics = resolve_metric_names(args.metrics) if args.metrics else None
    reported = ()
    if args.reported is not None:
        from adiff_bench.errors import DataError
        from adiff_bench.leaderboard.reported import read_reported

        if not args.reported.is_file():
            raise DataError(f"--reported {args.reported}: no such file")
        found = read_reported(args.reported.parent) if args.reported.name == "reported.json" else None
        if found is None:
            raise DataError(f"--reported {args.reported}: expected a file named reported.json")
        reported = [(row.name, row.source, row.scale, row.metrics) for row in found.rows]
    table = suite_table_of(records, metrics, reported)
    print_suite(table, args.format)
    if args.output is not None:
        by_suffix = {".tex": "latex", ".json": "json"}.get(args.output.suffix, "md")
        fmt = args.format if args.format != "table" else by_suffix
        atomic_write_text(args.output, RENDERERS[fmt](table))
    return 0
