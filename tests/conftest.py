"""Shared test fixtures: the read-only ../shared folder and an isolated cache per test session."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
OFFICIAL_DATA = SHARED / "data" / "adiff_official"
GOLDEN = SHARED / "fixtures" / "adiff_tiny_golden"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's cache, and never reach a model hub."""
    os.environ["ADIFF_BENCH_CACHE"] = str(tmp_path_factory.mktemp("adiff-cache"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def _meteor_paraphrase_index(_isolated_cache: None) -> None:
    """METEOR's paraphrase index (derived from pycocoevalcap's table, not user data) is built once per
    checkout, before any test: a build left running in a background thread would slow later tests."""
    from adiff_bench.errors import MetricUnavailable
    from adiff_bench.metrics.jvm import pycocoevalcap_file
    from adiff_bench.metrics.meteor import PARAPHRASE_TABLE
    from adiff_bench.metrics.meteor_paraphrase import INDEX_DIR_ENV, build_or_load_index

    root = REPO_ROOT / ".pytest_cache" / "adiff-meteor-paraphrase"
    os.environ[INDEX_DIR_ENV] = str(root)
    with contextlib.suppress(MetricUnavailable):  # no pycocoevalcap: the METEOR tests report it themselves
        build_or_load_index(pycocoevalcap_file(PARAPHRASE_TABLE), root)


@pytest.fixture(scope="session")
def official_data() -> Path:
    if not OFFICIAL_DATA.is_dir():
        pytest.skip(f"official ADIFF CSVs not found at {OFFICIAL_DATA}")
    return OFFICIAL_DATA


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    if not GOLDEN.is_dir():
        pytest.skip(f"ADIFF golden fixture not found at {GOLDEN}")
    return GOLDEN
