"""adiff_bench.versions: the one place Java and package versions are read (signatures and run records quote it)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from adiff_bench import versions
from adiff_bench.errors import MetricUnavailable
from adiff_bench.metrics import jvm

REPO = Path(__file__).resolve().parents[2]


def _fake_java(folder: Path, version_line: str) -> Path:
    """A `java` that prints ``version_line`` on stderr for -version (as real Java does) and counts its calls."""
    folder.mkdir(parents=True, exist_ok=True)
    java = folder / "java"
    java.write_text(
        f"#!{sys.executable}\nimport sys\nfrom pathlib import Path\n"
        f"log = Path({str(folder / 'calls')!r})\nlog.write_text(log.read_text() + 'x' if log.exists() else 'x')\n"
        f"print({version_line!r}, file=sys.stderr)\n"
    )
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return java


def test_java_version_parses_asks_once_and_says_when_there_is_none(tmp_path: Path) -> None:
    java = _fake_java(tmp_path / "a", 'openjdk version "17.0.15" 2025-04-15')
    assert versions.java_version(str(java)) == "17.0.15"
    assert versions.java_version(str(java)) == "17.0.15"
    assert (tmp_path / "a" / "calls").read_text() == "x"  # remembered per executable
    odd = _fake_java(tmp_path / "b", "no version here")
    assert versions.java_version(str(odd)) == "unknown"
    assert versions.java_version(str(tmp_path / "missing" / "java")) is None  # cannot run: not remembered


def test_java_on_path_is_what_signatures_and_run_records_quote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = _fake_java(tmp_path / "bin", 'java version "1.8.0_312"')
    monkeypatch.setenv("PATH", f"{java.parent}{os.pathsep}{os.environ['PATH']}")
    assert versions.java_version() == "1.8.0_312"
    assert jvm.lexical_signature_tail().endswith("|tok:ptb|refs:1|java:1.8.0_312")
    from adiff_bench.runs.environment import environment

    assert environment()["java"] == "1.8.0_312"


def test_java_that_cannot_run_makes_lexical_metrics_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jvm.shutil, "which", lambda name: str(tmp_path / "gone" / "java"))
    with pytest.raises(MetricUnavailable, match="could not run .*-version"):
        jvm.lexical_signature_tail()


def test_package_version() -> None:
    import numpy

    assert versions.package_version("numpy") == numpy.__version__
    assert versions.package_version("no-such-distribution-adiff") == "unknown"
    assert versions.package_version("no-such-distribution-adiff", default=None) is None


def test_importing_versions_loads_nothing_heavy() -> None:
    code = "import sys, adiff_bench.versions; print(sorted({'numpy', 'torch'} & set(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
