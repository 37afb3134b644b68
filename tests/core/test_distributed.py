"""Data-parallel generation with 2 CPU processes under ``accelerate launch`` (gloo)."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import write_task_csvs

REPO = Path(__file__).resolve().parents[2]
ACCELERATE = shutil.which("accelerate", path=str(Path(sys.executable).parent))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ACCELERATE is None, reason="accelerate is not installed in this environment"),
]


def _free_port() -> int:
    """A port of our own per launch, so one test's rendezvous never meets the last one's sockets."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _launch(n: int, data: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = (
        [
            ACCELERATE,
            "launch",
            "--main_process_port",
            str(_free_port()),
            "--num_processes",
            str(n),
            "--num_machines",
            "1",
            "--mixed_precision",
            "no",
            "--dynamo_backend",
            "no",
            "--multi_gpu",
            "-m",
            "adiff_bench",
        ]
        if n > 1
        else [sys.executable, "-m", "adiff_bench"]
    )
    command += [
        "run",
        "--model",
        "tests.core.plugin_models:EchoPrompt",
        "--data-dir",
        str(data),
        "--output-dir",
        str(out),
        "--batch-size",
        "1",
        "--metrics",
        "ROUGE-L",
        "--quiet",
    ]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ECHO_")}
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, env={**clean, **env}, timeout=240)


def _ids(run_root: Path) -> list[str]:
    (path,) = run_root.glob("*/*/predictions.jsonl")
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def test_two_processes_split_merge_and_resume_with_another_count(tmp_path: Path) -> None:
    data = write_task_csvs(tmp_path / "data")
    out = tmp_path / "runs"
    crashed = _launch(2, data, out, {"ECHO_DIE_AFTER": "1", "ECHO_DIE_RANK": "1"})
    assert crashed.returncode != 0
    shards = list(out.glob("*/*/predictions.rank*.jsonl"))
    assert shards, crashed.stderr[-2000:]
    # resume with ONE process: leftover shards are merged, the rest generated, nothing duplicated
    resumed = _launch(1, data, out, {})
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert sorted(_ids(out)) == [f"acd-test-0000{i}" for i in range(6)]
    assert not list(out.glob("*/*/predictions.rank*.jsonl"))


def test_two_processes_complete_a_run(tmp_path: Path) -> None:
    data = write_task_csvs(tmp_path / "data")
    done = _launch(2, data, tmp_path / "runs", {})
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(_ids(tmp_path / "runs")) == [f"acd-test-0000{i}" for i in range(6)]
    assert done.stdout.count("echo-prompt · acd-test-tier2") == 1  # only rank 0 reports
    (results,) = (tmp_path / "runs").glob("*/*/results.json")
    assert json.loads(results.read_text())["timing"]["generated_items"] == 6


def test_a_failing_rank_stops_every_rank_with_its_error(tmp_path: Path) -> None:
    data = write_task_csvs(tmp_path / "data")
    failed = _launch(2, data, tmp_path / "runs", {"ECHO_FAIL_RANK": "1"})
    assert failed.returncode != 0
    assert "rank 1 of 2 failed during generation: model 'echo-prompt' failed on item(s) " in failed.stderr
    assert "RuntimeError: planted failure on rank 1" in failed.stderr
