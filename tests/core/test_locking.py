"""Run-folder lock: two runs at once never mix; a stale lock is taken over; old duplicated files are repaired."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from adiff_bench.api import evaluate, make_run_spec
from adiff_bench.locking import LOCK_FILE, FolderInUse, exclusive_lock

from .helpers import write_task_csvs

REPO = Path(__file__).resolve().parents[2]
ECHO = "tests.core.plugin_models:EchoPrompt"


def _start(data_dir: Path, out: Path, gate: str = "") -> subprocess.Popen:
    argv = [sys.executable, "-m", "adiff_bench", "run", "--model", ECHO, "--data-dir", str(data_dir)]
    argv += ["--output-dir", str(out), "--batch-size", "1", "--metrics", "ROUGE-L", "--n-resamples", "50", "--quiet"]
    env = {**os.environ, "ECHO_WAIT_FOR": gate}
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _texts(run_dir: Path) -> dict[str, str]:
    lines = (run_dir / "predictions.jsonl").read_text().splitlines()
    return {json.loads(line)["id"]: json.loads(line)["prediction"] for line in lines}


def test_two_runs_at_once_one_refuses_and_a_third_resumes_to_the_undisturbed_result(tmp_path: Path) -> None:
    data_dir = write_task_csvs(tmp_path / "data")
    gate = tmp_path / "go"
    first = _start(data_dir, tmp_path / "shared", str(gate))  # holds the folder until the gate opens
    deadline = time.monotonic() + 120
    while not list((tmp_path / "shared").glob(f"*/*/{LOCK_FILE}")) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = _start(data_dir, tmp_path / "shared", str(gate))
    second_code = second.wait(timeout=300)
    gate.touch()
    assert first.wait(timeout=300) == 0, first.communicate()
    refused = second.communicate()[1].strip().splitlines()
    assert second_code == 2 and len(refused) == 1, refused
    assert f"in use by PID {first.pid} on " in refused[0] and "wait or choose another --output" in refused[0]
    third = _start(data_dir, tmp_path / "shared")
    assert third.wait(timeout=300) == 0, third.communicate()
    alone = _start(data_dir, tmp_path / "alone")
    assert alone.wait(timeout=300) == 0, alone.communicate()
    (shared,) = (tmp_path / "shared").glob("*/*/")
    (undisturbed,) = (tmp_path / "alone").glob("*/*/")
    assert len((shared / "predictions.jsonl").read_text().splitlines()) == 6
    assert _texts(shared) == _texts(undisturbed)
    scores = [json.loads((d / "results.json").read_text())["scores"] for d in (shared, undisturbed)]
    assert scores[0] == scores[1]
    assert not (shared / LOCK_FILE).exists()


def test_a_live_lock_refuses_and_a_dead_one_is_taken_over(tmp_path: Path) -> None:
    busy = rf"in use by PID {os.getpid()} .*\(first\) since .*; wait"
    with exclusive_lock(tmp_path, "first"), pytest.raises(FolderInUse, match=busy), exclusive_lock(tmp_path, "x"):
        pass
    assert not (tmp_path / LOCK_FILE).exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = {"pid": int(dead.stdout), "host": socket.gethostname(), "started": "2020-01-01T00:00:00+00:00"}
    (tmp_path / LOCK_FILE).write_text(json.dumps(stale))
    with exclusive_lock(tmp_path, "after a kill") as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_a_folder_with_repeated_ids_is_repaired_keeping_the_first_line(tmp_path: Path) -> None:
    data_dir = write_task_csvs(tmp_path / "data")
    spec = make_run_spec(ECHO, "acd", 2, data_dir=data_dir, metrics="ROUGE-L", ci=False)
    first = evaluate(spec, tmp_path / "runs")
    path = first.run_dir / "predictions.jsonl"
    lines = path.read_text().splitlines()
    doubled = [json.dumps({**json.loads(line), "prediction": "second copy"}) for line in lines[:3]]
    path.write_text("\n".join([*lines[:4], *doubled, *lines[4:]]) + "\n")  # as two runs at once left it
    (first.run_dir / "results.json").unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = evaluate(spec, tmp_path / "runs")
    assert any("3 repeated prediction line(s)" in str(w.message) for w in caught)
    assert path.read_text().splitlines() == lines
    assert again.generated == 0 and again.record["scores"] == first.record["scores"]
