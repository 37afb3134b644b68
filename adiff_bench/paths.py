"""Where adiff-bench keeps data and caches; read from the environment when asked, not at import."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "ADIFF_BENCH_DATA_DIR"
CACHE_DIR_ENV = "ADIFF_BENCH_CACHE"


def cache_dir() -> Path:
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "adiff-bench"


def default_data_dir() -> Path:
    explicit = os.environ.get(DATA_DIR_ENV)
    return Path(explicit).expanduser() if explicit else cache_dir() / "data"
