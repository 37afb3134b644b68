"""Hostile and careless input through the CLI (issue 14): every case is one line on stderr, exit code 2,
nothing written outside the output root and nothing already written lost."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
import yaml

from adiff_bench.cli.main import main
from adiff_bench.errors import DataError
from adiff_bench.io_utils import read_yaml
from tests.core.helpers import write_task_csvs

from .helpers import refused

ROWS = [{"name": "oracle", "model": "caption-oracle"}, {"name": "constant", "model": "constant"}]


def _spec(folder: Path, text: str | None = None, **fields: object) -> Path:
    write_task_csvs(folder / "data", tiers=(2,))
    path = folder / "spec.yaml"
    if text is None:
        data = {"name": "h", "reference": "oracle", "tasks": [{"dataset": "acd", "tier": 2}], "metrics": ["ROUGE-L"],
                "n_resamples": 50, "defaults": {"data_dir": "data"}, "rows": ROWS, **fields}
        text = yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")
    return path


def _ablate(capsys, tmp_path: Path, spec: Path, *extra: str) -> str:
    out = tmp_path / "out"
    return refused(capsys, ["ablate", str(spec), "--output-dir", str(out), "--quiet", *extra], watch=tmp_path,
                   output_root=out)


# --- ablation specs -------------------------------------------------------------------------------------------


def test_alias_bomb_in_a_row_description(tmp_path: Path, capsys) -> None:
    anchors = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    anchors += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = (
        "name: bomb\nreference: oracle\ntasks: [{dataset: acd, tier: 2}]\ndefaults: {data_dir: data}\nrows:\n"
        "  - {name: oracle, model: caption-oracle}\n"
        "  - {name: c, model: constant, description: {" + ", ".join(anchors) + "}}\n"
    )
    assert len(text.encode()) < 800  # 9**10 strings once expanded: the 676-byte bomb ran out of memory
    line = _ablate(capsys, tmp_path, _spec(tmp_path, text))
    assert "spec.yaml:7: expands to more than" in line and "aliases" in line


def test_recursive_alias_oversized_and_deep_yaml(tmp_path: Path, capsys) -> None:
    assert "recursive alias" in _ablate(capsys, tmp_path, _spec(tmp_path, "a: &a [*a]\n"))
    assert "too large" in _ablate(capsys, tmp_path, _spec(tmp_path, "# " + "x" * (5 * 1024 * 1024) + "\n"))
    assert "nested too deeply" in _ablate(capsys, tmp_path, _spec(tmp_path, "[" * 20000 + "]" * 20000 + "\n"))


def test_impossible_date(tmp_path: Path, capsys) -> None:
    spec = _spec(tmp_path)
    spec.write_text(spec.read_text() + "date: 2025-02-30\n")
    line = _ablate(capsys, tmp_path, spec)
    assert "impossible date '2025-02-30'" in line and "spec.yaml:" in line


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"tasks": 5}, "tasks"),
        ({"tasks": [{"dataset": "acd"}]}, "tier"),
        ({"tasks": [{"dataset": "acd", "tier": "two"}]}, "tasks[0].tier"),
        ({"seed": "abc"}, "seed"),
        ({"defaults": {"limit": "abc"}}, "defaults.limit"),
        ({"defaults": ["data_dir"]}, "defaults"),
        ({"rows": [ROWS[0], {**ROWS[1], "model_args": ["x=1"]}]}, "rows[1].model_args"),
        ({"metrics": 7}, "metrics"),
        ({"rows": [ROWS[0]]}, "at least two rows"),
        ({"refrence": "oracle"}, "did you mean 'reference'"),
    ],
)
def test_wrong_types_name_the_field(tmp_path: Path, capsys, fields: dict, field: str) -> None:
    assert field in _ablate(capsys, tmp_path, _spec(tmp_path, **fields))


def test_code_in_a_spec_needs_the_users_consent(tmp_path: Path, capsys, monkeypatch) -> None:
    marker = tmp_path / "IMPORTED"
    (tmp_path / "planted.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = _spec(tmp_path, rows=[ROWS[0], {"name": "x", "model": "planted:Model"}])
    assert "--allow-code-models" in _ablate(capsys, tmp_path, spec)
    assert not marker.exists()
    victim = tmp_path / "PWNED"
    row = {"name": "x", "model": "os:system", "model_args": {"command": f"touch {victim}"}}
    spec = _spec(tmp_path, rows=[ROWS[0], row])
    line = _ablate(capsys, tmp_path, spec, "--allow-code-models")
    assert "rows[1].model: model 'os:system'" in line and "not a class" in line and not victim.exists()


# --- run: --model, CSVs, output folders ----------------------------------------------------------------------


def _run_args(tmp_path: Path, *extra: str, model: str = "constant") -> list[str]:
    return ["run", "--model", model, "--dataset", "acd", "--tier", "2", "--data-dir", str(tmp_path / "data"),
            "--output-dir", str(tmp_path / "runs"), "--metrics", "ROUGE-L", "--no-ci", "--quiet", *extra]


@pytest.mark.parametrize("model", ["os:path", "a plain string", ":", "builtins:print", "builtins:dict", "json"])
def test_model_that_is_not_a_model_class(tmp_path: Path, capsys, model: str) -> None:
    write_task_csvs(tmp_path / "data", tiers=(2,))
    line = refused(capsys, _run_args(tmp_path, model=model), watch=tmp_path, output_root=tmp_path / "runs")
    assert "model" in line


def test_csv_field_over_the_limit(tmp_path: Path, capsys) -> None:
    write_task_csvs(tmp_path / "data", tiers=(2,))
    csv_path = tmp_path / "data" / "acd_test_adiff_sentence_answer.csv"
    lines = csv_path.read_text().splitlines()
    lines[3] = lines[3].replace("A dog barks 2 times", "x" * 131_073)
    csv_path.write_text("\n".join(lines) + "\n")
    line = refused(capsys, _run_args(tmp_path), watch=tmp_path, output_root=tmp_path / "runs")
    assert "acd_test_adiff_sentence_answer.csv:4: field larger than field limit (131072)" in line


def test_unsafe_audio_path_names_the_csv_line(tmp_path: Path, capsys) -> None:
    rows = [{"taskname": "t", "filepath1": "a.wav", "filepath2": "/etc/passwd", "caption1": "a", "caption2": "b",
             "input": "", "answer": ""}]
    write_task_csvs(tmp_path / "data", rows=rows, tiers=(2,))
    (tmp_path / "audio").mkdir()
    args = _run_args(tmp_path, "--audio-root", str(tmp_path / "audio"), model="acoustic")
    line = refused(capsys, args, watch=tmp_path, output_root=tmp_path / "runs")
    assert "acd_test_adiff_sentence_answer.csv:2: audio filepath '/etc/passwd' is absolute" in line


def test_output_folder_under_a_file(tmp_path: Path, capsys) -> None:
    write_task_csvs(tmp_path / "data", tiers=(2,))
    (tmp_path / "runs").write_text("a file where the folder should be\n")
    line = refused(capsys, _run_args(tmp_path), watch=tmp_path, output_root=tmp_path / "runs")
    assert "cannot write" in line and str(tmp_path / "runs") in line


@pytest.mark.parametrize("code, advice", [(errno.ENOSPC, "free some space"), (errno.EFBIG, "raise the limit"),
                                          (errno.EROFS, "read-only"), (errno.EACCES, "permission denied")])
def test_full_disk_or_limited_output_is_one_line_and_resume_stays_correct(
    tmp_path: Path, capsys, monkeypatch, code: int, advice: str
) -> None:
    """The disk fills after two batches of predictions were kept: one line, and the re-run finishes the job."""
    write_task_csvs(tmp_path / "data", tiers=(2,))
    real_fsync, calls = os.fsync, []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) > 2:
            raise OSError(code, os.strerror(code))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    args = _run_args(tmp_path, "--batch-size", "2")
    line = refused(capsys, args, watch=tmp_path, output_root=tmp_path / "runs")
    assert advice in line and "re-run the same command" in line
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert main(args) == 0
    assert "resumed 4" in capsys.readouterr().err
    run_dir = next((tmp_path / "runs").glob("*/acd-test-tier2"))
    resumed = [json.loads(x) for x in (run_dir / "predictions.jsonl").read_text().splitlines()]
    assert main(_run_args(tmp_path, "--batch-size", "2", "--output-dir", str(tmp_path / "clean"))) == 0
    clean_dir = next((tmp_path / "clean").glob("*/acd-test-tier2"))
    clean = [json.loads(x) for x in (clean_dir / "predictions.jsonl").read_text().splitlines()]
    key = ("id", "prediction")
    assert sorted([r[k] for k in key] for r in resumed) == sorted([r[k] for k in key] for r in clean)
    scores = [json.loads((d / "results.json").read_text())["scores"]["ROUGE-L"] for d in (run_dir, clean_dir)]
    assert scores[0] == scores[1]


# --- the readers others adopt ----------------------------------------------------------------------------------


def test_read_json_turns_bad_and_deep_json_into_one_line(tmp_path: Path) -> None:
    from adiff_bench.io_utils import read_json  # new helper (imported here so the module runs against older code)

    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataError, match=r"deep\.json: nested too deeply"):
        read_json(path)
    path.write_text('{"a": 1,}')
    with pytest.raises(DataError, match=r"deep\.json: not valid JSON"):
        read_json(path)
    path.write_text('{"a": [1, 2.5, "x"]}')
    assert read_json(path) == {"a": [1, 2.5, "x"]}


def test_read_yaml_keeps_ordinary_aliases_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b {x: 1}\nrow: *b\nwhen: 2025-02-28\n")
    data = read_yaml(path)
    assert data["row"] == {"x": 1} and str(data["when"]) == "2025-02-28"
