"""``adiff-bench human sample|analyze``: blinded human-rating studies of run outputs."""

from __future__ import annotations

import argparse
import sys

from adiff_bench.cli.parser import add_output_option, require_output


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("human", help="human-rating studies: blinded sampling and analysis")
    commands = parser.add_subparsers(dest="human_command", metavar="STEP")

    sample = commands.add_parser("sample", help="draw a blinded sample of items from runs; write sheet, form and key")
    sample.add_argument(
        "runs", nargs="+", help="run directories, one per system and task; LABEL=RUN_DIR names the system"
    )
    sample.add_argument("--n", type=int, default=100, help="items to sample (each rated for every system)")
    sample.add_argument("--seed", type=int, default=0)
    add_output_option(
        sample, "the study folder to write (required)", dest="out", old=("--out",), default=None, metavar="DIR"
    )
    sample.add_argument("--study", default=None, help="study YAML (criteria, scale, anchors); default: ADIFF's three")
    sample.add_argument("--audio-root", default=None, help="folder the predictions' audio paths are relative to")
    sample.add_argument("--embed-audio", action="store_true", help="put the audio into form.html as data URIs")
    sample.add_argument("--overwrite", action="store_true", help="replace an existing study in --output")
    sample.set_defaults(func=sample_command)

    analyze = commands.add_parser("analyze", help="validate ratings, unblind, and report agreement and significance")
    analyze.add_argument("study_dir", help="the folder written by `human sample`")
    analyze.add_argument("ratings", nargs="+", help="rating CSVs (saved from the form, or filled-in sheets)")
    analyze.add_argument(
        "--runs",
        nargs="*",
        default=(),
        help="scored run directories (LABEL=RUN_DIR as when sampling), for metric-human agreement; put it last",
    )
    analyze.add_argument("--format", choices=("md", "latex", "json"), default="md")
    analyze.add_argument("--output", default=None, help="also write the report to this file")
    analyze.add_argument("--plots", default=None, help="folder for the plots")
    analyze.add_argument("--plot-format", choices=("png", "svg", "pdf"), default="png", help="file format of the plots")
    analyze.add_argument("--n-resamples", type=int, default=2000, help="bootstrap resamples for the CIs")
    analyze.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    analyze.set_defaults(func=analyze_command)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def sample_command(args: argparse.Namespace) -> int:
    from adiff_bench.human.sample import sample_runs
    from adiff_bench.human.study import load_study

    require_output(args.out, "human sample", "the study folder to write")
    sample, paths = sample_runs(
        args.runs,
        n=args.n,
        seed=args.seed,
        out=args.out,
        study=load_study(args.study),
        audio_root=args.audio_root,
        embed_audio=args.embed_audio,
        overwrite=args.overwrite,
    )
    n_items = sum(sample.tasks.values())
    note = f" (all {sample.n_available} common items)" if n_items < sample.n_requested else ""
    print(f"sampled {n_items} items{note} × {len(sample.units) // max(n_items, 1)} systems = {len(sample.units)} units")
    print(f"audio: {sample.audio_found} clips playable, {len(sample.audio_missing)} not found", file=sys.stderr)
    for name in ("form.html", "sheet.csv"):
        print(f"for raters: {paths[name]}")
    print(f"keep from raters: {paths['key.csv']}")
    return 0


def analyze_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from adiff_bench.human.pipeline import analyze_study
    from adiff_bench.io_utils import atomic_write_text

    text, written = analyze_study(
        args.study_dir,
        args.ratings,
        runs=args.runs,
        fmt=args.format,
        plots_dir=Path(args.plots) if args.plots else None,
        plot_format=args.plot_format,
        n_resamples=args.n_resamples,
        seed=args.seed,
    )
    sys.stdout.write(text)
    if args.output:
        atomic_write_text(args.output, text)
        print(f"report written to {args.output}", file=sys.stderr)
    for path in written:
        print(f"plot written to {path}", file=sys.stderr)
    return 0
