"""One `--output` for every subcommand that writes (old spellings and lm-eval's still parse, hidden from
help), defaults shown in help, and did-you-mean for mistyped subcommands, choices and flags."""

from __future__ import annotations

import re

import pytest

from adiff_bench.cli.main import build_parser, main

# (argv before the output flag, the old spelling, the namespace attribute it fills)
WRITERS = [
    (["run", "--model", "constant"], "--output-dir", "output_dir"),
    (["ablate", "spec.yaml"], "--output-dir", "output_dir"),
    (["human", "sample", "RUN"], "--out", "out"),
    (["export", "RUN"], "--out", "out"),
    (["models", "fetch", "adiff"], "--dest", "dest"),
    (["setup", "spice"], "--dest", "dest"),
]


def _help(capsys: pytest.CaptureFixture, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(("argv", "old", "dest"), WRITERS)
def test_output_is_the_one_visible_name_and_old_spellings_still_parse(capsys, argv, old, dest) -> None:
    parser = build_parser()
    for flag in ("--output", old, "--output_path"):
        assert getattr(parser.parse_args([*argv, flag, "somewhere"]), dest) == "somewhere", flag
    text = _help(capsys, *argv[: 2 if argv[0] in ("human", "models", "setup") else 1])
    flags = set(re.findall(r"--[\w-]+", text))
    assert "--output" in flags and old not in flags and "--output_path" not in flags


def test_commands_that_already_wrote_with_output_keep_it(capsys) -> None:
    for argv in (["score", "p.jsonl"], ["compare", "a", "b"], ["diagnose", "r"], ["report", "r"]):
        assert build_parser().parse_args([*argv, "--output", "x"]).output is not None
    for command in ("probe",):
        assert "--output" in _help(capsys, command)


def test_lm_eval_spellings_are_accepted() -> None:
    args = build_parser().parse_args(
        ["run", "--model", "constant", "--model_args", "a=1", "--batch_size", "3", "--output_path", "o",
         "--include_path", "d"]
    )  # fmt: skip
    assert (args.model_args, args.batch_size, args.output_dir, args.include_path) == ("a=1", 3, "o", ["d"])
    assert build_parser().parse_args(["probe", "--model", "constant", "--model_args", "b=2"]).model_args == "b=2"


def test_help_states_defaults(capsys) -> None:
    run = " ".join(_help(capsys, "run").split())  # argparse wraps help; compare with whitespace collapsed
    assert "default: 2" in run  # --tier
    assert "requests per model call (default: 8)" in run
    assert "(default: adiff-runs)" in run
    assert "how to print the scores (default: table)" in run
    assert "(default: False)" not in run and "(default: None)" not in run
    probe = " ".join(_help(capsys, "probe").split())
    assert "3 detail (default: 1)" in probe
    compare = " ".join(_help(capsys, "compare").split())
    assert "(default: bootstrap)" in compare and "(default: auto)" in compare
    assert "--format {md,latex,json} default: md" in compare  # an option without help still shows its default


def _error(capsys: pytest.CaptureFixture, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_did_you_mean_for_subcommands_choices_and_flags(capsys) -> None:
    assert _error(capsys, ["rn"]).endswith("did you mean 'run'?")
    assert _error(capsys, ["compre", "a", "b"]).endswith("did you mean 'compare'?")
    assert _error(capsys, ["human", "smaple"]).endswith("did you mean 'sample'?")
    assert _error(capsys, ["run", "--model", "constant", "--format", "mdd"]).endswith("did you mean 'md'?")
    line = _error(capsys, ["run", "--model", "constant", "--tierr", "2"])
    assert line.startswith("adiff-bench run: error: unrecognized arguments: --tierr 2")
    assert line.endswith("did you mean --tier?")
    line = _error(capsys, ["compare", "a", "b", "--basline", "a"])  # compare's own flag
    assert line.startswith("adiff-bench compare: error:") and line.endswith("did you mean --baseline?")
    assert "did you mean" not in _error(capsys, ["run", "--model", "constant", "--zzzzzz"])


def test_required_output_is_one_line(capsys) -> None:
    assert main(["export", "RUN"]) == 2
    assert capsys.readouterr().err.strip() == (
        "adiff-bench: error: export: --output is required (the bundle file to write)"
    )
