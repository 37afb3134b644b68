"""``adiff-bench ablate SPEC.yaml``: run an ablation's rows and write its table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adiff_bench.cli.common import RichProgress, add_include_path_option, apply_include_paths
from adiff_bench.cli.parser import add_output_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ablate", help="run the rows of an ablation spec and write its table")
    parser.add_argument("spec", help="ablation YAML (see baselines/)")
    add_output_option(
        parser, "folder for the rows' runs and the table (default: adiff-runs/ablations/<spec name>)",
        dest="output_dir", old=("--output-dir",), default=None, metavar="DIR",
    )  # fmt: skip
    parser.add_argument("--format", choices=("md", "latex", "json"), default="md")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--allow-code-models",
        action="store_true",
        help="let rows name package.module:Class (imports and runs that code); default: registered models only",
    )
    add_include_path_option(parser)
    parser.set_defaults(func=ablate_command)


def ablate_command(args: argparse.Namespace) -> int:
    from adiff_bench.ablation import load_ablation_spec, run_ablation

    apply_include_paths(args)
    spec = load_ablation_spec(args.spec, allow_code_models=args.allow_code_models)
    code = sorted({row.specs[0].model for row in spec.rows if ":" in row.specs[0].model})
    if code:
        print(f"{args.spec}: rows import and run code from {', '.join(code)} (trusted)", file=sys.stderr)
    output_dir = Path(args.output_dir) if args.output_dir else Path("adiff-runs") / "ablations" / spec.slug
    table, _ = run_ablation(
        spec,
        output_dir,
        progress_factory=None if args.quiet else RichProgress,
        log=lambda message: print(message, file=sys.stderr),
    )
    render = {"md": table.to_markdown, "latex": table.to_latex}
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(table.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(render[args.format]())
    print(f"table and resolved specs written to {output_dir}", file=sys.stderr)
    return 0
