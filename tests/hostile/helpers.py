"""Run the CLI on hostile input and check the promises: one line on stderr, exit code 2, nothing written
outside the output root, nothing already there lost or changed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from adiff_bench.cli.main import main


def snapshot(root: Path) -> dict[Path, str]:
    """Every file under ``root`` with its content hash (links recorded by target, never followed)."""
    out: dict[Path, str] = {}
    for path in root.rglob("*"):
        if path.is_symlink():
            out[path] = "link:" + str(path.readlink())
        elif path.is_file():
            out[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def refused(capsys, argv: Sequence[str], *, watch: Path, output_root: Path | None = None) -> str:
    """Run ``adiff-bench ARGV`` and return its one error line after checking every promise."""
    capsys.readouterr()
    before = snapshot(watch)
    code = main(list(argv))
    captured = capsys.readouterr()
    after = snapshot(watch)
    lines = captured.err.strip().splitlines()
    assert code == 2, (code, captured.err[-2000:])
    assert len(lines) == 1 and lines[0].startswith("adiff-bench: error: "), captured.err[-2000:]
    assert "Traceback" not in captured.err
    lost = {p for p, digest in before.items() if after.get(p) != digest}
    assert not lost, f"changed or removed: {sorted(lost)}"
    created = set(after) - set(before)
    outside = {p for p in created if output_root is None or not p.is_relative_to(output_root)}
    assert not outside, f"written outside the output root: {sorted(outside)}"
    return lines[0]
