"""``adiff-bench models list`` and ``adiff-bench models fetch adiff``."""

from __future__ import annotations

import argparse
from pathlib import Path

from adiff_bench.cli.parser import add_output_option
from adiff_bench.errors import ModelError

FETCHABLE = ("adiff",)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list models, download model weights")
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION")
    listing = sub.add_parser("list", help="registered model names and where they come from")
    listing.set_defaults(func=list_command)
    fetch = sub.add_parser("fetch", help="download released weights into the cache (checksum-verified)")
    fetch.add_argument("model", choices=FETCHABLE, help="which model's weights")
    fetch.add_argument("--variant", choices=("base", "wavcaps", "all"), default="base")
    fetch.add_argument("--url", default=None, help="download from this URL instead of Zenodo (one variant only)")
    fetch.add_argument("--md5", default=None, help="expected md5 (default: the one Zenodo publishes)")
    fetch.add_argument("--api-url", default=None, help="Zenodo records API URL to read checksums from")
    add_output_option(
        fetch, "folder (default: <cache>/models, env ADIFF_BENCH_CACHE)", dest="dest", old=("--dest",), default=None,
        metavar="DIR",
    )
    fetch.add_argument("--force", action="store_true", help="download again even if the file is recorded")
    fetch.add_argument("--quiet", action="store_true", help="no progress bar")
    fetch.set_defaults(func=fetch_command)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def list_command(args: argparse.Namespace) -> int:
    from adiff_bench.models.registry import BUILTIN_MODELS, available_models

    for name, target in sorted(available_models().items()):
        origin = "built-in" if name in BUILTIN_MODELS else "plugin"
        print(f"{name}\t{target}\t{origin}")
    return 0


def _progress_bar(label: str):
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    progress = Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task = progress.add_task(label, total=None)

    def update(done: int, total: int | None) -> None:
        progress.update(task, completed=done, total=total)

    return progress, update


def fetch_command(args: argparse.Namespace) -> int:
    from adiff_bench.models.adiff.fetch import fetch_one, models_dir, variant_names

    names = variant_names(args.variant)
    if args.url and len(names) > 1:
        raise ModelError("--url names one file: use it with --variant base or --variant wavcaps, not all")
    dest = Path(args.dest) if args.dest else models_dir()
    for name in names:
        if args.quiet:
            result = fetch_one(name, dest, args.url, args.api_url, args.md5, args.force)
        else:
            bar, update = _progress_bar(name)
            with bar:
                result = fetch_one(name, dest, args.url, args.api_url, args.md5, args.force, update)
        state = "downloaded" if result.downloaded else "already present"
        print(f"{result.name}: {state} at {result.path} ({result.size} bytes)")
        print(f"  sha256 {result.sha256}  md5 {result.md5}  check: {result.verified}")
    return 0
