"""What software computed a run: recorded so a number can be traced and reproduced."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

from adiff_bench.versions import java_version, package_version

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
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {name: package_version(name, default=None) for name in PACKAGES},
        "java": java_version(),
        "git_revision": git_revision(),
    }
