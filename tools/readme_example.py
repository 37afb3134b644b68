"""Regenerate the README's example output from a real run of its main command (never hand-copied).

    .venv/bin/python tools/readme_example.py          # runs the command in a temp folder, rewrites README.md

The block between ``<!-- main-output:start -->`` and ``<!-- main-output:end -->`` is replaced by what the
command prints on stdout; ``tests/core/test_readme.py`` checks the block against a fresh run within the
printed precision.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COMMAND = ["run", "--model", "acoustic", "--dataset", "synth", "--tier", "2"]
BLOCK = re.compile(r"(<!-- main-output:start -->\n```text\n)(.*?)(```\n<!-- main-output:end -->)", re.S)


def run_main_command(workdir: Path, extra: list[str] | None = None) -> str:
    """stdout of the README's main command, run in ``workdir`` with a private cache."""
    env = {**os.environ, "ADIFF_BENCH_CACHE": str(workdir / "cache"), "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-m", "adiff_bench", *COMMAND, "--quiet", *(extra or [])],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        output = run_main_command(Path(tmp))
    text = README.read_text(encoding="utf-8")
    if not BLOCK.search(text):
        print("README.md has no main-output block", file=sys.stderr)
        return 1
    README.write_text(BLOCK.sub(lambda m: m.group(1) + output + m.group(3), text), encoding="utf-8")
    print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
