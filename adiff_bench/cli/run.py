"""``adiff-bench run``: generate (or resume) and score one model on one task or a suite of tasks."""

from __future__ import annotations

import argparse
import sys

from adiff_bench.cli.common import (
    RichProgress,
    add_format_option,
    add_include_path_option,
    add_metric_options,
    add_signatures_option,
    apply_include_paths,
    print_scores,
    print_suite,
)
from adiff_bench.cli.parser import add_hidden_alias, add_output_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run a model on a task, resumably, and score it")
    parser.add_argument("--model", required=True, help="registered name (see `models list`) or package.module:Class")
    parser.add_argument("--model-args", default=None, help="key=value,key=value passed to the model")
    add_hidden_alias(parser, "--model_args", "model_args")
    add_include_path_option(parser)
    parser.add_argument(
        "--dataset", default="acd", help="acd, cld, synth, a comma list (acd,cld) or all (= acd,cld); default: acd"
    )
    parser.add_argument(
        "--tier", default="2", help="1 few words, 2 a sentence, 3 detail, a list (1,3) or all; default: 2"
    )
    parser.add_argument("--split", default=None, help="default: the test split (ACD test, CLD evaluation)")
    parser.add_argument("--data-dir", default=None, help="folder with the official CSVs (env ADIFF_BENCH_DATA_DIR)")
    parser.add_argument("--audio-root", default=None, help="folder the CSV audio paths are relative to")
    parser.add_argument("--limit", type=int, default=None, help="a seeded random subset of N items")
    parser.add_argument("--seed", type=int, default=0, help="seed for --limit, random crops and bootstrap")
    parser.add_argument("--batch-size", type=int, default=8, help="requests per model call")
    add_hidden_alias(parser, "--batch_size", "batch_size", type=int)
    parser.add_argument(
        "--crop",
        choices=("fixed", "random"),
        default="fixed",
        help="how clips longer than the model's window are cropped",
    )
    parser.add_argument("--prompt", default=None, help="replace every item's prompt with this text (ablations)")
    parser.add_argument("--on-bad-audio", choices=("error", "skip"), default="error")
    add_output_option(
        parser, "root folder of run directories (one per model and task)", dest="output_dir", old=("--output-dir",),
        default="adiff-runs", metavar="DIR",
    )  # fmt: skip
    parser.add_argument("--overwrite", action="store_true", help="discard an existing run in the run directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--rescore", action="store_true", help="score a finished run again (default: print its stored scores)"
    )
    parser.add_argument(
        "--predict-only", action="store_true", help="write predictions and skip scoring (score later with `score`)"
    )
    add_metric_options(parser)
    add_format_option(parser)
    add_signatures_option(parser)
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    from adiff_bench.api import evaluate, make_run_spec
    from adiff_bench.models.registry import parse_model_args
    from adiff_bench.suite.selection import task_specs

    apply_include_paths(args)
    tasks = task_specs(args.dataset, args.tier, args.split)
    spec = make_run_spec(
        args.model,
        tasks[0].dataset,
        tasks[0].tier,
        tasks[0].split,
        model_args=parse_model_args(args.model_args),
        data_dir=args.data_dir,
        audio_root=args.audio_root,
        limit=args.limit,
        seed=args.seed,
        batch_size=args.batch_size,
        crop=args.crop,
        on_bad_audio=args.on_bad_audio,
        metrics=args.metrics,
        prompt=args.prompt,
        ci=args.ci,
        n_resamples=args.n_resamples,
    )
    if len(tasks) > 1:
        return _run_suite(args, spec, tasks)
    outcome = evaluate(spec, args.output_dir, **_run_options(args))
    if outcome.rank != 0:
        return 0
    counts = _counts(outcome)
    if outcome.record is None:
        print(f"{counts} · predictions only; score them with `adiff-bench score {outcome.run_dir}/predictions.jsonl`",
              file=sys.stderr)  # fmt: skip
        return 0
    print_scores(outcome.record, args.format, args.signatures)
    if outcome.stored:
        print(f"{counts} · stored scores of the finished run (pass --rescore to score again)", file=sys.stderr)
    else:
        print(f"{counts} · total {outcome.record['timing']['total_seconds']:.1f} s", file=sys.stderr)
    return 0


def _run_options(args: argparse.Namespace) -> dict:
    """The options every task of a run shares, single or suite."""
    return {
        "overwrite": args.overwrite,
        "progress_factory": None if args.quiet else RichProgress,
        "rescore": args.rescore,
        "predict_only": args.predict_only,
        "score_progress": not args.quiet,
    }


def _counts(outcome) -> str:  # noqa: ANN001 - RunOutcome, imported lazily
    return f"run dir: {outcome.run_dir} · generated {outcome.generated}, resumed {outcome.resumed}"


def _run_suite(args: argparse.Namespace, spec, tasks) -> int:  # noqa: ANN001 - RunSpec, TaskSpecs
    """Several tasks, one model load and one clip cache; a line per finished task, then the suite table."""
    from adiff_bench.suite.run import run_suite, suite_specs

    def done(outcome) -> None:  # noqa: ANN001
        if outcome.rank == 0:
            state = "predictions only" if outcome.record is None else "stored scores" if outcome.stored else "scored"
            print(f"{_counts(outcome)} · {state}", file=sys.stderr)

    outcomes = run_suite(suite_specs(spec, tasks), args.output_dir, on_task_done=done, **_run_options(args))
    records = [o.record for o in outcomes if o.rank == 0 and o.record is not None]
    if records:
        from adiff_bench.suite.table import suite_table_of

        print_suite(suite_table_of(records), args.format)
    return 0
