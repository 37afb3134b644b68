"""Pieces shared by several subcommands: task options, output formats, the progress bar."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping


def add_task_options(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--dataset", default="acd" if required else None, help="acd, cld or synth (default: acd)")
    parser.add_argument("--tier", type=int, default=2 if required else None, help="1 few words, 2 a sentence, 3 detail")
    parser.add_argument("--split", default=None, help="default: the test split (ACD test, CLD evaluation)")
    parser.add_argument("--data-dir", default=None, help="folder with the official CSVs (env ADIFF_BENCH_DATA_DIR)")


def add_include_path_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--include-path",
        dest="include_path",
        action="append",
        default=None,
        metavar="DIR",
        help="a folder to import --model module:Class from (repeatable); the current directory is always searched",
    )
    parser.add_argument(  # lm-eval's spelling
        "--include_path", dest="include_path", action="append", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )


def apply_include_paths(args: argparse.Namespace) -> None:
    """Make ``--include-path`` folders importable before any model is resolved."""
    if getattr(args, "include_path", None):
        from adiff_bench.models.registry import add_include_paths

        add_include_paths(args.include_path)


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("table", "md", "latex", "json"), default="table", help="how to print the scores"
    )


def add_metric_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metrics",
        default=None,
        help="comma list of metrics or groups (lexical, coco, embedding, default); default: all",
    )
    parser.add_argument(
        "--ci",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="95%% bootstrap confidence intervals (clip-clustered on ACD/CLD); on by default",
    )
    parser.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples for --ci")


class RichProgress:
    """A rich progress bar on stderr (a ``runs.runner.ProgressSink``; rich is imported only when one starts)."""

    def __init__(self, total: int, label: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task(label, total=total)
        self._progress.start()

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def close(self) -> None:
        self._progress.stop()


def score_table(record: Mapping):
    """The compact rich table (Metric, Score ×100, 95% CI): three short columns that fit 80 columns."""
    from rich.markup import escape
    from rich.table import Table

    from adiff_bench.runs.report import compact_rows

    task = record["task"]
    table = Table(title=escape(f"{record['model']['name']} · {task['name']} · {task['items_scored']} items"))
    table.add_column("Metric", no_wrap=True)
    table.add_column("Score ×100", justify="right", no_wrap=True)
    table.add_column("95% CI", justify="right", no_wrap=True)
    for row in compact_rows(record):
        table.add_row(*(escape(cell) for cell in row))  # "adiff-bench[embedding]" is text, not a style
    return table


def print_scores(record: Mapping, fmt: str, signatures: bool = False, console=None) -> None:  # noqa: ANN001
    """The compact table, each unavailable metric's reason once below it, and the signatures with --signatures."""
    from adiff_bench.runs.report import render, signature_notes, unavailable_notes

    if fmt != "table":
        sys.stdout.write(render(record, fmt, signatures))
        return
    if console is None:
        from rich.console import Console

        console = Console()
    console.print(score_table(record))
    for note in unavailable_notes(record):
        console.print(note, markup=False, highlight=False)
    if signatures:
        console.print("signatures:", markup=False, highlight=False)
        for note in signature_notes(record):  # one token each: let the terminal wrap it, never split it here
            console.print(f"  {note}", markup=False, highlight=False, soft_wrap=True)


def add_signatures_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--signatures",
        action="store_true",
        help="also list each metric's signature below the table (results.json always keeps them)",
    )


def print_suite(table, fmt: str) -> None:  # noqa: ANN001 - a suite.table.SuiteTable, imported lazily
    """The suite summary (models × dataset × tier × metric): rich blocks that fit 80 columns, or md/latex/json."""
    from adiff_bench.suite.table import RENDERERS, terminal_blocks

    if fmt != "table":
        sys.stdout.write(RENDERERS[fmt](table))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    for title, header, rows in terminal_blocks(table):
        block = Table(title=escape(title))
        for index, name in enumerate(header):
            block.add_column(escape(name), justify="left" if index == 0 else "right")
        for row in rows:
            block.add_row(*(escape(cell) for cell in row))
        console.print(block)
    for note in table.notes:
        console.print(note, markup=False)
