"""``adiff-bench`` entry point: builds the parser from the subcommand modules and turns user errors
into one clear line (exit 2) instead of a traceback."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from adiff_bench import __version__
from adiff_bench.errors import AdiffBenchError

# Each module defines ``register(subparsers)``, which adds its commands with ``set_defaults(func=...)``.
SUBCOMMAND_MODULES = (
    "adiff_bench.cli.run",
    "adiff_bench.cli.score",
    "adiff_bench.cli.data",
    "adiff_bench.cli.models",
    "adiff_bench.cli.setup",
    "adiff_bench.cli.probe",
    "adiff_bench.cli.compare",
    "adiff_bench.cli.diagnose",
    "adiff_bench.cli.ablate",
    "adiff_bench.cli.leaderboard",
    "adiff_bench.cli.human",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adiff-bench",
        description="Evaluate audio difference explanation models on ACD, CLD and synth.",
    )
    parser.add_argument("--version", action="version", version=f"adiff-bench {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AdiffBenchError as exc:
        print(f"adiff-bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("adiff-bench: interrupted; re-run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
