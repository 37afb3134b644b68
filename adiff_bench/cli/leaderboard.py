"""``adiff-bench export | submit | leaderboard``: bundles from runs, re-scored entries, generated tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from adiff_bench.cli.parser import add_output_option, require_output

META_OPTIONS = (
    ("--name", "model name shown on the leaderboard (default: the runs' model)"),
    ("--organisation", "who built the model"),
    ("--paper-url", "http(s) link to the paper"),
    ("--code-url", "http(s) link to the code"),
    ("--parameters", "parameter count, e.g. 128000000 or 7B"),
    ("--audio-encoder", "e.g. HTSAT"),
    ("--language-model", "e.g. GPT-2 base"),
    ("--checkpoint-sha256", "sha256 of the weights used"),
    ("--contact", "e-mail or handle"),
    ("--date", "YYYY-MM-DD of the predictions"),
    ("--notes", "free text"),
    ("--kind", "system (default) or oracle: an oracle reads the ground truth; shown labelled and never ranked"),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="build a submission bundle from finished run directories")
    export.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run directories (one per tier)")
    add_output_option(
        export, "bundle file to write (JSON; required)", dest="out", old=("--out",), default=None, metavar="FILE"
    )
    export.add_argument("--meta", default=None, help="metadata file (YAML or JSON); the options below override it")
    for flag, text in META_OPTIONS:
        export.add_argument(flag, default=None, help=text)
    export.set_defaults(func=export_command)

    submit = subparsers.add_parser("submit", help="validate a bundle, re-score it with CIs and add it to the board")
    submit.add_argument("bundle", help="bundle file or folder")
    submit.add_argument("--data-dir", default=None, help="folder with the official CSVs (env ADIFF_BENCH_DATA_DIR)")
    submit.add_argument("--leaderboard-dir", default="leaderboards", help="default: leaderboards")
    submit.add_argument("--replace", action="store_true", help="replace this model's existing entry")
    submit.add_argument("--metrics", default=None, help="metrics to re-score with (default: the default suite)")
    submit.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples for the CIs")
    submit.add_argument("--seed", type=int, default=0)
    submit.add_argument("--no-regenerate", action="store_true", help="do not rewrite LEADERBOARD.md / index.html")
    submit.set_defaults(func=submit_command)

    board = subparsers.add_parser("leaderboard", help="regenerate LEADERBOARD.md and index.html from the entries")
    board.add_argument("--leaderboard-dir", default="leaderboards", help="default: leaderboards")
    board.add_argument("--format", choices=("md", "latex", "html", "json"), default=None, help="also print this")
    board.add_argument("--metric", default=None, help="headline metric (default: SPICE, else CIDEr-D)")
    board.add_argument("--verify", action="store_true", help="re-score every entry and list any that do not match")
    board.add_argument("--data-dir", default=None, help="folder with the official CSVs, for --verify")
    board.add_argument("--verbose", action="store_true", help="with --verify, also list the identical checks")
    board.set_defaults(func=leaderboard_command)


def export_command(args: argparse.Namespace) -> int:
    from adiff_bench.leaderboard.export import export_runs

    overrides = {flag[2:].replace("-", "_"): getattr(args, flag[2:].replace("-", "_")) for flag, _ in META_OPTIONS}
    if overrides["parameters"] is not None and overrides["parameters"].isdigit():
        overrides["parameters"] = int(overrides["parameters"])
    require_output(args.out, "export", "the bundle file to write")
    bundle = export_runs(args.run_dirs, args.out, args.meta, **overrides)
    tiers = ", ".join(f"{t.task.name} ({len(t.predictions)} items)" for t in bundle.tiers)
    print(f"bundle for {bundle.meta.name!r} written to {args.out}: {tiers}")
    return 0


def submit_command(args: argparse.Namespace) -> int:
    from adiff_bench.leaderboard.build import regenerate
    from adiff_bench.leaderboard.submit import ScoringPlan, submit

    metrics = tuple(m.strip() for m in args.metrics.split(",") if m.strip()) if args.metrics else None
    if metrics:
        from adiff_bench.metrics.suite import resolve_metric_names

        metrics = tuple(resolve_metric_names(list(metrics)))
    plan = ScoringPlan(metrics=metrics, n_resamples=args.n_resamples, seed=args.seed)
    outcome = submit(
        args.bundle, data_dir=args.data_dir, leaderboard_dir=args.leaderboard_dir, replace=args.replace, plan=plan
    )
    verb = "replaced" if outcome.replaced else "added"
    print(f"{verb} {outcome.entry_path}")
    for tier, data in outcome.record["tiers"].items():
        shown = ", ".join(
            f"{m} {s['score'] * 100:.2f}" if s.get("score") is not None else f"{m} n/a"
            for m, s in data["scores"].items()
        )
        print(f"  {tier} ({data['n_items']} items): {shown}")
    if not args.no_regenerate:
        _, written = regenerate(args.leaderboard_dir)
        print("regenerated " + ", ".join(str(p) for p in written))
    return 0


def leaderboard_command(args: argparse.Namespace) -> int:
    if args.verify:
        return _verify(args)
    from adiff_bench.leaderboard.build import regenerate, render

    table, written = regenerate(args.leaderboard_dir, args.metric)
    if args.format:
        sys.stdout.write(render(table, args.format))
    print("regenerated " + ", ".join(str(p) for p in written), file=sys.stderr)
    return 0


def _verify(args: argparse.Namespace) -> int:
    """Per entry, tier and metric: identical / equal within tolerance / mismatch; only a mismatch fails."""
    from adiff_bench.leaderboard.verify import IDENTICAL, MISMATCH, Check, stderr_say, verify_board

    counts: dict[str, int] = {}

    def report(checks: Sequence[Check]) -> None:  # printed as each tier finishes, not after the last
        for check in checks:
            counts[check.status] = counts.get(check.status, 0) + 1
            if check.status != IDENTICAL or args.verbose:
                print(check.line(), flush=True)

    found = verify_board(args.leaderboard_dir, args.data_dir, say=stderr_say, progress=True, report=report)
    bad = sorted(slug for slug, checks in found.items() if any(c.status == MISMATCH for c in checks))
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to check"
    print(
        f"verified {len(found)} entr{'y' if len(found) == 1 else 'ies'} ({summary}): "
        f"{len(bad)} do not match" + (f" ({', '.join(bad)})" if bad else ""),
        file=sys.stderr,
    )
    return 1 if bad else 0
