"""A process killed with -9 while tokenizing leaves its /tmp/adiff-ptb-* folder; the next start removes it,
and never a folder of a running process, of another kind, or a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from adiff_bench.metrics import ptb, tempdirs

REPO = Path(__file__).resolve().parents[2]

HANG_IN_TOKENIZER = """
import subprocess, sys, time
from pathlib import Path
from adiff_bench.metrics import ptb
ptb.java_executable = lambda: "java"
ptb.corenlp_jar = lambda: Path("corenlp.jar")
def hang(*args, **kwargs):
    print("tokenizing", flush=True)
    time.sleep(120)
subprocess.run = hang
ptb.ptb_tokenize(["a dog barks"])
"""


@pytest.mark.skipif(os.name != "posix", reason="kill -9 and the liveness check are POSIX")
def test_a_folder_left_by_kill_9_is_removed_on_the_next_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", HANG_IN_TOKENIZER], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "tokenizing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    left = list(tmp_path.glob(f"adiff-ptb-{child.pid}-*"))
    assert len(left) == 1 and (left[0] / "captions.txt").read_text() == "a dog barks"  # what kill -9 leaves

    alive = tmp_path / f"adiff-ptb-{os.getppid()}-keep"  # a running process's folder
    other = tmp_path / "adiff-ptb-notapid"  # not ours to judge (e.g. made by an older version)
    for folder in (alive, other):
        folder.mkdir()
    (tmp_path / f"adiff-ptb-{child.pid}-file").write_text("a file, not a folder")

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(ptb, "java_executable", lambda: "java")
    monkeypatch.setattr(ptb, "corenlp_jar", lambda: Path("corenlp.jar"))
    monkeypatch.setattr(
        ptb.subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, 0, b"a dog barks\n", b"")
    )
    assert ptb.ptb_tokenize(["a dog barks"]) == ["a dog barks"]  # the next start
    assert not left[0].exists()
    assert alive.is_dir() and other.is_dir() and (tmp_path / f"adiff-ptb-{child.pid}-file").is_file()
    assert not list(tmp_path.glob(f"adiff-ptb-{os.getpid()}-*"))  # its own folder is gone after use


def test_liveness_check() -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert tempdirs._ended(int(finished.stdout))
    assert not tempdirs._ended(os.getpid()) and not tempdirs._ended(os.getppid())
    assert not tempdirs._ended(0) and not tempdirs._ended(10**30)  # never signals a group or overflows
