"""``adiff-bench data check`` and ``adiff-bench data fetch``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="check or download the official ACD/CLD CSVs")
    commands = parser.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)

    check = commands.add_parser("check", help="row counts, self-pairs, duplicates, missing or unsafe audio paths")
    check.add_argument("--data-dir", default=None)
    check.add_argument("--audio-root", default=None, help="also check every audio file under this folder")
    check.add_argument("--dataset", action="append", choices=("acd", "cld", "synth"), help="default: acd and cld")
    check.add_argument("--format", choices=("table", "json"), default="table")
    check.set_defaults(func=check_command)

    fetch = commands.add_parser("fetch", help="download the official CSVs (pinned URLs, sha256-checked)")
    fetch.add_argument("--data-dir", default=None, help="where to put them (default: the data dir)")
    fetch.add_argument("--dataset", action="append", choices=("acd", "cld"), help="default: both")
    fetch.add_argument("--base-url", default=None, help="a mirror holding the same ACD/ and CLD/ files")
    fetch.add_argument(
        "--include-unpinned",
        action="store_true",
        help="also fetch files listed officially but without a pinned hash (their hash is reported, not verified)",
    )
    fetch.set_defaults(func=fetch_command)


def check_command(args: argparse.Namespace) -> int:
    from adiff_bench.data.check import check_data

    report = check_data(
        Path(args.data_dir) if args.data_dir else None,
        Path(args.audio_root) if args.audio_root else None,
        tuple(args.dataset or ("acd", "cld")),
    )
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="adiff-bench data check")
        for column in ("task", "rows", "self-pairs", "duplicate pairs", "unsafe paths", "missing audio", "unreadable"):
            table.add_column(column, justify="left" if column == "task" else "right")
        for a in report.audits:
            audio = (str(len(a.missing_audio)), str(len(a.unreadable_audio))) if a.audio_checked else ("-", "-")
            unsafe = str(len(a.unsafe_paths)) if a.audio_checked else "-"
            table.add_row(a.task, str(a.rows), str(len(a.self_pairs)), str(len(a.duplicate_pairs)), unsafe, *audio)
        Console().print(table)
        for a in report.audits:
            for line in a.unsafe_paths[:5]:
                print(f"unsafe audio path (escapes the audio root), refused: {line}", file=sys.stderr)
            for line in a.links_outside[:5]:
                print(f"warning: audio path leads outside the audio root through a symlink: {line}", file=sys.stderr)
            if len(a.links_outside) > 5:
                print(f"warning: ... and {len(a.links_outside) - 5} more such paths in {a.task}", file=sys.stderr)
        for error in report.errors:
            print(f"error: {error}", file=sys.stderr)
    return 0 if report.ok else 1


def fetch_command(args: argparse.Namespace) -> int:
    from adiff_bench.data.fetch import fetch_official
    from adiff_bench.paths import default_data_dir

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    outcomes = fetch_official(
        data_dir,
        tuple(args.dataset or ("acd", "cld")),
        base_url=args.base_url,
        include_unpinned=args.include_unpinned,
    )
    for outcome in outcomes:
        state = "downloaded" if outcome.downloaded else "already present"
        check = "sha256 verified" if outcome.verified else f"NOT verified (no pinned hash; got {outcome.sha256})"
        print(f"{outcome.path}: {state}, {check}")
    print(f"data dir: {data_dir}", file=sys.stderr)
    return 0
