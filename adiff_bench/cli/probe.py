"""``adiff-bench probe``: does the model's output depend on each input clip?"""

from __future__ import annotations

import argparse
import json

from adiff_bench.cli.common import add_include_path_option, apply_include_paths
from adiff_bench.cli.parser import add_hidden_alias


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "probe", help="check that a model's output changes when its clips are swapped, duplicated or muted"
    )
    parser.add_argument("--model", required=True, help="registered name (see `models list`) or package.module:Class")
    parser.add_argument("--model-args", default=None, help="key=value,key=value passed to the model")
    add_hidden_alias(parser, "--model_args", "model_args")
    add_include_path_option(parser)
    parser.add_argument("--dataset", default="acd", help="acd, cld or synth (default: acd)")
    parser.add_argument("--tier", type=int, default=1, help="1 few words, 2 a sentence, 3 detail (default: 1)")
    parser.add_argument("--split", default=None, help="default: the test split")
    parser.add_argument("--data-dir", default=None, help="folder with the official CSVs (env ADIFF_BENCH_DATA_DIR)")
    parser.add_argument("--audio-root", default=None, help="folder the CSV audio paths are relative to")
    parser.add_argument("--n", type=int, default=4, help="number of pairs (a seeded subset; default 4)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("md", "json"), default="md")
    parser.add_argument("--output", default=None, help="also write the report to this file")
    parser.set_defaults(func=probe_command)


def probe_command(args: argparse.Namespace) -> int:
    from adiff_bench.errors import AdiffBenchError
    from adiff_bench.io_utils import atomic_write_text
    from adiff_bench.models.registry import build_model, parse_model_args
    from adiff_bench.probe import probe_task

    if args.n < 1:
        raise AdiffBenchError("--n must be at least 1")
    apply_include_paths(args)
    model = build_model(args.model, parse_model_args(args.model_args))
    result = probe_task(model, args.dataset, args.tier, args.split, args.n, args.data_dir, args.audio_root, args.seed)
    text = json.dumps(result.to_json(), indent=2) + "\n" if args.format == "json" else result.to_markdown()
    print(text, end="")
    if args.output:
        atomic_write_text(args.output, text)
    return 0
