"""Finding Java and pycocoevalcap's jars; every failure is a MetricUnavailable naming the fix."""

from __future__ import annotations

import functools
import importlib.util
import re
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from adiff_bench.errors import MetricUnavailable


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        raise MetricUnavailable(
            "Java was not found on PATH; the coco-caption metrics run pycocoevalcap's Java tools — "
            "install a Java runtime (8 or newer, e.g. `apt-get install default-jre`) and retry"
        )
    return java


@functools.lru_cache(maxsize=4)
def _java_version(java: str) -> str:
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MetricUnavailable(f"could not run `{java} -version` ({exc}); check the Java installation") from exc
    match = re.search(r'version "([^"]+)"', proc.stderr + proc.stdout)
    return match.group(1) if match else "unknown"


def java_version() -> str:
    """The Java version string (e.g. ``17.0.15``), as it goes into metric signatures."""
    return _java_version(java_executable())


def pycocoevalcap_dir() -> Path:
    spec = importlib.util.find_spec("pycocoevalcap")
    if spec is None or not spec.submodule_search_locations:
        raise MetricUnavailable("pycocoevalcap is not installed; run `pip install pycocoevalcap==1.2`")
    return Path(next(iter(spec.submodule_search_locations)))


def pycocoevalcap_version() -> str:
    try:
        return version("pycocoevalcap")
    except PackageNotFoundError:
        return "unknown"


def pycocoevalcap_file(relative: str) -> Path:
    path = pycocoevalcap_dir() / relative
    if not path.is_file():
        raise MetricUnavailable(
            f"{path} is missing; reinstall pycocoevalcap (`pip install --force-reinstall pycocoevalcap`)"
        )
    return path
