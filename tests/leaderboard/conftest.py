"""Fixtures for the leaderboard tests (builders live in helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import fake_scorer, write_csvs


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write_csvs(folder, "acd", "test")
    write_csvs(folder, "cld", "evaluation", tiers=(1,))
    return folder


@pytest.fixture()
def scorer():
    return fake_scorer
