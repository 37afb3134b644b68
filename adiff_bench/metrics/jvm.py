"""Finding Java and pycocoevalcap's jars; every failure is a MetricUnavailable naming the fix."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from adiff_bench.errors import MetricUnavailable
from adiff_bench.versions import java_version, package_version


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        raise MetricUnavailable(
            "Java was not found on PATH; the coco-caption metrics run pycocoevalcap's Java tools — "
            "install a Java runtime (8 or newer, e.g. `apt-get install default-jre`) and retry"
        )
    return java


def lexical_signature_tail() -> str:
    """What a pycocoevalcap metric's signature says after its name: versions and settings, e.g.
    ``pycocoevalcap:1.2|tok:ptb|refs:1|java:17.0.15``."""
    java = java_executable()
    found = java_version(java)
    if found is None:
        raise MetricUnavailable(f"could not run `{java} -version`; check the Java installation")
    return f"pycocoevalcap:{package_version('pycocoevalcap')}|tok:ptb|refs:1|java:{found}"


def pycocoevalcap_dir() -> Path:
    spec = importlib.util.find_spec("pycocoevalcap")
    if spec is None or not spec.submodule_search_locations:
        raise MetricUnavailable("pycocoevalcap is not installed; run `pip install pycocoevalcap==1.2`")
    return Path(next(iter(spec.submodule_search_locations)))


def pycocoevalcap_file(relative: str) -> Path:
    path = pycocoevalcap_dir() / relative
    if not path.is_file():
        raise MetricUnavailable(
            f"{path} is missing; reinstall pycocoevalcap (`pip install --force-reinstall pycocoevalcap`)"
        )
    return path
