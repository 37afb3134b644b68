"""What software computed a run: recorded so a number can be traced and reproduced."""

from __future__ import annotations

import platform
import subprocess
import sys
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = (
    "adiff-bench",
    "torch",
    "transformers",
    "pycocoevalcap",
    "sentence-transformers",
    "bert-score",
    "numpy",
    "scipy",
    "soundfile",
    "soxr",
)


@lru_cache(maxsize=1)
def java_version() -> str | None:
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stderr or out.stdout).splitlines()
    return first[0].strip() if first else None


def git_revision(path: Path | None = None) -> str | None:
    """The harness checkout's revision when it runs from a git clone (None when installed)."""
    where = path or Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")


def environment() -> dict:
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": packages,
        "java": java_version(),
        "git_revision": git_revision(),
    }
