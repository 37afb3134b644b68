"""Versions of the software a number depends on (Java, Python packages): the one place they are read.

Metric signatures and run records quote them, so they must agree. Standard library only: importing this
module costs nothing, and Java is asked only when a version is wanted (once per Java executable).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from importlib.metadata import PackageNotFoundError, version

_JAVA_VERSIONS: dict[str, str] = {}
_LOCK = threading.Lock()


def java_version(java: str | None = None) -> str | None:
    """The version ``java -version`` reports (e.g. ``17.0.15``) for ``java`` (default: the one on PATH).

    None when there is no Java or it cannot be run (not remembered: a later call tries again);
    ``"unknown"`` when it runs but prints no version.
    """
    java = java or shutil.which("java")
    if java is None:
        return None
    with _LOCK:
        known = _JAVA_VERSIONS.get(java)
    if known is not None:
        return known
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "([^"]+)"', proc.stderr + proc.stdout)
    found = match.group(1) if match else "unknown"
    with _LOCK:
        _JAVA_VERSIONS[java] = found
    return found


def package_version(name: str, default: str | None = "unknown") -> str | None:
    """The installed version of distribution ``name``, or ``default`` when it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return default
