"""``adiff-bench`` entry point: builds the parser from the subcommand modules and turns user errors
into one clear line (exit 2) instead of a traceback."""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Sequence

from adiff_bench import __version__
from adiff_bench.cli.parser import SuggestingParser
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
    "adiff_bench.cli.report",
    "adiff_bench.cli.samples",
)


# Errors writing outputs: what the user sees instead of a traceback. Everything already written stays
# (writes are atomic), so the advice always ends with re-running the same command to resume.
WRITE_ERRORS = {
    errno.ENOSPC: "no space left on the device; free some space",
    errno.EDQUOT: "disk quota exceeded; free some space",
    errno.EFBIG: "file too large for this file system or the size limit (ulimit -f); raise the limit",
    errno.EROFS: "the file system is read-only; choose a writable --output",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "operation not permitted; choose a folder you can write to",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EISDIR: "a folder is in the way of the file; choose another path",
    errno.EEXIST: "a file is in the way of the folder; choose another path",
    errno.ENAMETOOLONG: "the path is too long; choose a shorter one",
}


def describe_os_error(exc: OSError) -> str | None:
    """One line for an OSError from reading or writing files, or None when it is not one we can explain."""
    advice = WRITE_ERRORS.get(exc.errno or 0)
    if advice is None:
        return None
    path = exc.filename if exc.filename is not None else "an output file"
    reason = exc.strerror or str(exc)
    return f"{path}: cannot write ({reason}): {advice}, then re-run the same command (finished work is kept)"


def build_parser() -> argparse.ArgumentParser:
    parser = SuggestingParser(
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
    except OSError as exc:
        message = describe_os_error(exc)
        if message is None:
            raise
        print(f"adiff-bench: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("adiff-bench: interrupted; re-run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
