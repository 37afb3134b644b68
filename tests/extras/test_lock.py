"""requirements.lock pins every package pyproject.toml asks for, at a version its bounds allow."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[2]


def _lock_module():
    spec = importlib.util.spec_from_file_location("adiff_bench_lock_tool", REPO_ROOT / "tools" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_requirement_is_pinned_within_its_bounds():
    lock = _lock_module()
    pins = lock.read_lock()
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [*project["dependencies"], *(r for group in project["optional-dependencies"].values() for r in group)]
    checked = 0
    for text in reqs:
        req = Requirement(text)
        name = lock.canonical(req.name)
        if name == "adiff-bench":  # the [all] self-reference
            continue
        assert name in pins, f"{name} is required by pyproject.toml but not in requirements.lock; run tools/lock.py"
        assert req.specifier.contains(Version(pins[name]), prereleases=True), (text, pins[name])
        checked += 1
    assert checked >= 20
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!]*", v) for v in pins.values())


def test_lock_pins_the_cpu_build_of_torch():
    assert _lock_module().read_lock()["torch"].endswith("+cpu")


def test_read_lock_refuses_a_line_that_is_not_an_exact_pin(tmp_path):
    bad = tmp_path / "requirements.lock"
    bad.write_text("# comment\nnumpy==2.4.6\nscipy>=1.11\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"requirements.lock:3: 'scipy>=1.11' is not name==version"):
        _lock_module().read_lock(bad)


def test_check_reports_packages_off_the_lock(tmp_path):
    lock = _lock_module()
    stale = tmp_path / "requirements.lock"
    stale.write_text("pytest==0.0.1\n", encoding="utf-8")
    problems = lock.check(stale)
    assert any(p.startswith("pytest==") and p.endswith("requirements.lock says 0.0.1") for p in problems)
    assert any("is installed but not in requirements.lock" in p for p in problems)
