"""``adiff-bench diagnose RUN_DIR``: the per-attribute synth diagnostic of a finished run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adiff_bench.errors import DataError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diagnose",
        help="per-attribute precision/recall of stated differences for a synth run",
        description="Read a synth run's predictions and report, per attribute, whether the stated differences "
        "and their directions match the known ground truth.",
    )
    parser.add_argument("run_dir", type=Path, help="a run directory holding spec.json and predictions.jsonl")
    parser.add_argument("--format", choices=("md", "json"), default="md", help="output format (default: md)")
    parser.add_argument("--output", type=Path, default=None, help="also write the report to this file")
    parser.add_argument(
        "--plot", type=Path, default=None, metavar="PATH",
        help="also draw per-attribute precision/recall bars to PATH (.png, .svg or .pdf)",
    )  # fmt: skip
    parser.set_defaults(func=run_diagnose)


def run_diagnose(args: argparse.Namespace) -> int:
    from adiff_bench.data.tasks import load_task
    from adiff_bench.diagnostics.report import diagnose, report_json_text
    from adiff_bench.io_utils import atomic_write_text
    from adiff_bench.runs.rundir import RunDir

    if args.plot is not None:
        from adiff_bench.plots import check_plot_path

        check_plot_path(args.plot)  # before reading or scoring anything
    run_dir = RunDir(args.run_dir)
    spec = run_dir.spec
    if spec.task.dataset != "synth":
        raise DataError(
            f"{run_dir.path} is a {spec.task.dataset} run; the diagnostic needs a synth run (--dataset synth)"
        )
    loaded = run_dir.predictions()
    if not loaded.records:
        raise DataError(f"{run_dir.predictions_path} has no predictions; run the model first")
    task = load_task(spec.task, spec.data_dir, spec.audio_root)
    report = diagnose(task, {r.item_id: r.prediction for r in loaded.records})
    text = report_json_text(report) if args.format == "json" else report.to_markdown()
    if args.output is not None:
        atomic_write_text(args.output, text)
    sys.stdout.write(text)
    if args.plot is not None:
        from adiff_bench.plots import plot_diagnostic

        print(f"plot written to {plot_diagnostic(report, args.plot)}", file=sys.stderr)
    return 0
