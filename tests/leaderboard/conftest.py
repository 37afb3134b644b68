"""Fixtures for the leaderboard tests (builders live in helpers.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adiff_bench.leaderboard.submit import ScoringPlan, submit

from .helpers import REPO_REPORTED, XSS, bundle_dict, fake_scorer, write_bundle_file, write_csvs


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write_csvs(folder, "acd", "test")
    write_csvs(folder, "cld", "evaluation", tiers=(1,))
    return folder


@pytest.fixture()
def scorer():
    return fake_scorer


@pytest.fixture()
def board(tmp_path: Path, data_dir: Path) -> Path:
    lb = tmp_path / "lb"
    models = {
        "Oracle": {"acd-test-tier1": "oracle", "acd-test-tier2": "oracle", "cld-evaluation-tier1": "oracle"},
        "Oracle twin": {"acd-test-tier1": "oracle", "acd-test-tier2": "oracle"},
        "Constant": {"acd-test-tier1": "constant", "acd-test-tier2": "constant", "cld-evaluation-tier1": "constant"},
        XSS: {"acd-test-tier1": "half"},
    }
    for index, (name, tiers) in enumerate(models.items()):
        meta = {"paper_url": "https://example.org/p?a=1&b=2"} if name == XSS else {}
        bundle = write_bundle_file(tmp_path / f"b{index}.json", bundle_dict(name, tiers, notes=XSS, **meta))
        submit(bundle, data_dir=data_dir, leaderboard_dir=lb, plan=ScoringPlan(n_resamples=200), scorer=fake_scorer)
    shutil.copy(REPO_REPORTED, lb / "reported.json")
    return lb
