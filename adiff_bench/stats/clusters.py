"""Clip structure of an evaluation: which items share audio clips, and so are not independent.

In the ACD test split 4,680 pairs are built from 957 clips (each the first clip of ~5 pairs and the
second of ~5 more, one connected clip graph); CLD evaluation is alike. Resampling pairs as if they were
independent then understates the uncertainty; see :mod:`adiff_bench.stats.resampling` for the scheme.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from adiff_bench.errors import DataError


def clusters_for_pairs(clip_pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """``(n, 2)`` integer clip codes per item, to pass as ``clusters=`` for clip resampling.

    Clips are identified by their path string; the same clip in either position gets the same code."""
    codes: dict[str, int] = {}
    out = np.empty((len(clip_pairs), 2), dtype=np.int64)
    for row, pair in enumerate(clip_pairs):
        if len(pair) != 2 or not all(isinstance(c, str) and c for c in pair):
            raise DataError(f"item {row}: expected two clip paths, got {pair!r}")
        for j, clip in enumerate(pair):
            out[row, j] = codes.setdefault(clip, len(codes))
    return out


def clips_repeat(clip_pairs: Sequence[tuple[str, str]]) -> bool:
    """True when some clip appears in more than one item: then items are dependent through clips."""
    counts = Counter(clip for pair in clip_pairs for clip in set(pair))
    return any(c > 1 for c in counts.values())


def auto_clusters(clip_pairs: Sequence[tuple[str, str]]) -> np.ndarray | None:
    """The default: clip codes when clips repeat across items (ACD, CLD), else ``None`` (resample items)."""
    return clusters_for_pairs(clip_pairs) if clips_repeat(clip_pairs) else None


def default_clusters(clip_pairs: Sequence[tuple[str, str]], cluster: str = "auto") -> np.ndarray | None:
    """The one clustering rule of ``run``, ``score`` and ``compare``: "clip" always resamples clips, "none"
    items, and "auto" clips exactly when a clip appears in two items (ACD, CLD and synth all do)."""
    if cluster == "none":
        return None
    return clusters_for_pairs(clip_pairs) if cluster == "clip" else auto_clusters(clip_pairs)
