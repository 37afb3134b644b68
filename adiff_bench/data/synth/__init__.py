"""The generated ``synth`` dataset: pairs of synthetic clips that differ in known acoustic attributes.

Built once per (seed, n_pairs) into the cache, atomically: generated in a temporary sibling folder,
then renamed into place, so an interrupted build never leaves a half dataset behind.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path

from adiff_bench.data.synth.attributes import ATTRIBUTES, AUDIO1_HIGHER, AUDIO2_HIGHER
from adiff_bench.data.synth.build import GENERATOR_VERSION, GROUND_TRUTH_FILE, TIER_FILES, build_synth, item_id
from adiff_bench.errors import DataError
from adiff_bench.io_utils import read_json

__all__ = [
    "ATTRIBUTES",
    "AUDIO1_HIGHER",
    "AUDIO2_HIGHER",
    "GROUND_TRUTH_FILE",
    "ensure_synth",
    "item_id",
    "load_ground_truth",
]


def _version(folder: Path) -> int | None:
    """The generator version of a complete folder, or None when it is incomplete or unreadable."""
    if not all((folder / name).is_file() for name, _ in TIER_FILES.values()):
        return None
    try:
        return int(json.loads((folder / GROUND_TRUTH_FILE).read_text(encoding="utf-8")).get("generator_version", 0))
    except (OSError, ValueError, AttributeError):
        return None


def _complete(folder: Path) -> bool:
    return _version(folder) == GENERATOR_VERSION


def ensure_synth(root: Path | None = None, seed: int = 0, n_pairs: int = 200) -> Path:
    """Return the folder holding the synth CSVs, wavs and ground truth, building it on first use.

    A folder built by another generator version is rebuilt and swapped in; any other non-empty
    folder that is not a complete synth dataset is refused rather than overwritten.
    """
    if n_pairs <= 0:
        raise DataError(f"synth: n_pairs must be positive, got {n_pairs}")
    if root is None:
        from adiff_bench.paths import cache_dir

        root = cache_dir() / "synth" / f"seed{seed}-n{n_pairs}"
    root = Path(root)
    if _complete(root):
        return root
    stale = _version(root) is not None
    if root.exists() and any(root.iterdir()) and not stale:
        raise DataError(f"{root} exists but is not a complete synth dataset; delete it and re-run")
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    retired = root.parent / f"{staging.name}.old"
    try:
        build_synth(staging, seed, n_pairs)
        if _complete(root):  # another process finished first; keep theirs
            return root
        if root.exists():
            with contextlib.suppress(OSError):  # empty or stale; unless someone just replaced it
                if stale:
                    root.rename(retired)
                else:
                    root.rmdir()
        try:
            staging.rename(root)
        except OSError:  # another process finished first; keep theirs
            if not _complete(root):
                raise
    finally:
        for leftover in (staging, retired):
            if leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
    return root


def load_ground_truth(folder: Path) -> dict[str, dict]:
    """Ground-truth records keyed by item id ("synth-test-00000")."""
    path = Path(folder) / GROUND_TRUTH_FILE
    if not path.is_file():
        raise DataError(f"{path} not found: the synth ground truth is missing; delete the folder and re-run")
    try:
        data = read_json(path)
    except DataError as exc:
        raise DataError(f"{exc}; delete the folder and re-run") from exc
    return {record["id"]: record for record in data["items"]}
