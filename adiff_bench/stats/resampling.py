"""Resampling schemes as weight matrices: a resample is a row of non-negative item weights, so scoring
every resample of every metric is one product ``W @ stats`` (computed exactly, see
:mod:`adiff_bench.stats.exact`) followed by each metric's reducer.

Three schemes:

* ``items``: the ordinary bootstrap; each item drawn with replacement (weights = draw counts).
* ``clusters``: one label per item; whole clusters are drawn with replacement and every item of a
  cluster gets its cluster's draw count (the one-way cluster bootstrap).
* ``clips``: two clip labels per item (a pair of clips, as in ACD/CLD where each clip appears in about
  ten pairs, five times as the first clip and five as the second, and the clip graph is connected).
  Clips are drawn with replacement and a pair is weighted by the *product* of its clips' draw counts.
  This is the vertex bootstrap for dyadic data (Snijders & Borgatti 1999) / Owen's pigeonhole
  bootstrap (2007). Why this one:

  - connected components are useless here (one component holds every clip);
  - clustering by the first clip misses the dependence through the second clip, and a clip's quality
    (hard, noisy, ambiguous audio) affects every pair it is in, in either position;
  - weighting by the *sum* of the two counts halves each clip's influence and under-covers.

  For a mean with pair value ``v_ab = g_a + g_b + e_ab`` (a clip effect g shared by every pair of the
  clip) the product weights get the clip term of the variance right to first order but count the
  pair-level term three times (Var(c_a c_b) = 3 for Poisson-like counts), so raw vertex-bootstrap
  intervals are up to sqrt(3) too wide when clips carry no shared effect. No clip-level weighting can
  avoid this: weights that are functions of per-clip draws always count the pair term at least twice
  once the clip term is right.

  So the spread is calibrated. Linearised, with r the items' influence values and S_k the sum of r over
  the items containing clip k, the vertex bootstrap variance is sum_k S_k^2 + sum r^2 and the item
  bootstrap variance is sum r^2 (both / N^2); their difference V_clip - 2 V_items = (sum_k S_k^2 -
  sum r^2) / N^2 is exactly the dyadic-cluster-robust variance (Fafchamps & Gubert 2007; Aronow,
  Samii & Assenova 2015): every pair of items sharing a clip is counted once. Each clip resample's
  deviation from the full-data score is shrunk by sqrt(max(V_clip - 2 V_items, V_items) / V_clip), so
  the intervals keep the clip bootstrap's shape and get the dyadic-robust scale, never narrower than
  item resampling. (For a difference between systems the factor is computed on the difference.)
  ``benchmarks/stats_speed.py --calibration N`` simulates this on the real ACD clip graph and prints
  bootstrap SD / true SD for item, first-clip, raw clip and calibrated clip resampling.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from adiff_bench.errors import DataError
from adiff_bench.stats.exact import ExactSums

ITEMS_METHOD = "items resampled with replacement (iid bootstrap)"
CLUSTERS_METHOD = "clusters resampled with replacement (one-way cluster bootstrap over {k} clusters)"
CLIPS_METHOD = (
    "clips resampled with replacement, pair weight = count(clip1) x count(clip2) "
    "(vertex/pigeonhole bootstrap over {k} clips), spread rescaled to the dyadic-robust variance "
    "(clip-resample var - 2 x item-resample var, floored at the item-resample var)"
)


def draw_counts(n_units: int, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``(B, n_units)`` counts of ``n_units`` draws with replacement per resample (index sampling + one
    bincount, much faster than ``rng.multinomial`` row by row)."""
    if n_units <= 0:
        raise DataError("cannot resample an empty set of items")
    index = rng.integers(0, n_units, size=(n_resamples, n_units))
    index += (np.arange(n_resamples) * n_units)[:, None]
    return np.bincount(index.ravel(), minlength=n_resamples * n_units).reshape(n_resamples, n_units)


def factorize(labels: Sequence[Hashable] | np.ndarray) -> tuple[np.ndarray, int]:
    """Dense integer codes for arbitrary hashable labels, in order of first appearance."""
    codes: dict[Hashable, int] = {}
    out = np.empty(len(labels), dtype=np.int64)
    for i, label in enumerate(labels):
        key = label.item() if isinstance(label, np.generic) else label
        out[i] = codes.setdefault(key, len(codes))
    return out, len(codes)


@dataclass(frozen=True, eq=False)
class Scheme:
    """How the items of one evaluation are resampled; build with :func:`make_scheme`."""

    kind: str  # "items" | "clusters" | "clips"
    n_items: int
    codes: np.ndarray | None = field(default=None, repr=False)  # (n,) cluster codes or (n, 2) clip codes
    n_units: int = 0  # number of items, clusters or clips drawn per resample

    @property
    def method(self) -> str:
        if self.kind == "items":
            return ITEMS_METHOD
        if self.kind == "clusters":
            return CLUSTERS_METHOD.format(k=self.n_units)
        return CLIPS_METHOD.format(k=self.n_units)

    def weights(self, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
        """``(B, n_items)`` integer item weights, one row per resample."""
        if n_resamples <= 0:
            raise DataError("the number of resamples must be positive")
        if self.kind == "items":
            return draw_counts(self.n_items, n_resamples, rng)
        counts = draw_counts(self.n_units, n_resamples, rng)
        if self.kind == "clusters":
            return counts[:, self.codes]
        return counts[:, self.codes[:, 0]] * counts[:, self.codes[:, 1]]


def make_scheme(n_items: int, clusters: Sequence[Hashable] | np.ndarray | None = None) -> Scheme:
    """``None`` → items; one label per item → clusters; an ``(n, 2)`` array of clip labels per item (as
    returned by :func:`adiff_bench.stats.clusters.clusters_for_pairs`) → clips."""
    if clusters is None:
        return Scheme("items", n_items, None, n_items)
    array = np.asarray(clusters, dtype=object) if not isinstance(clusters, np.ndarray) else clusters
    if len(array) != n_items:
        raise DataError(f"got {len(array)} cluster labels for {n_items} items: pass one label (or clip pair) per item")
    if array.ndim == 2:
        if array.shape[1] != 2:
            raise DataError(f"clip labels must have shape (n, 2), got {array.shape}")
        flat, n_clips = factorize(array.ravel().tolist())
        return Scheme("clips", n_items, flat.reshape(n_items, 2), n_clips)
    if array.ndim != 1:
        raise DataError(f"cluster labels must be one per item or (n, 2) clip labels, got shape {array.shape}")
    codes, n_clusters = factorize(array.tolist())
    return Scheme("clusters", n_items, codes, n_clusters)


BLOCK = 1000  # resamples drawn and multiplied per block: memory stays ~BLOCK x n whatever n_resamples is
BOOTSTRAP_STREAM, SWAP_STREAM, REFERENCE_STREAM = 0, 1, 2


def block_rngs(seed: int, stream: int, n_resamples: int) -> list[tuple[int, np.random.Generator]]:
    """(rows, generator) per block of resamples. Stream 0 makes bootstrap weights, stream 1 label swaps,
    stream 2 the item resamples that calibrate clip resampling; every caller with the same seed, scheme
    and count sees the very same resamples."""
    root = np.random.SeedSequence(seed).spawn(3)[stream]
    n_blocks = -(-n_resamples // BLOCK)
    return [
        (min(BLOCK, n_resamples - i * BLOCK), np.random.default_rng(child))
        for i, child in enumerate(root.spawn(n_blocks))
    ]


def resampled_sums(
    matrix: np.ndarray, scheme: Scheme, n_resamples: int, seed: int, stream: int = BOOTSTRAP_STREAM
) -> np.ndarray:
    """``(B, K)`` weighted column sums of the ``(n, K)`` statistics, one row per bootstrap resample; exact
    integer-weight sums (:mod:`adiff_bench.stats.exact`), so the same seed gives the same bits on any CPU."""
    if n_resamples <= 0:
        raise DataError("the number of resamples must be positive")
    sums = ExactSums(matrix)
    blocks = [sums(scheme.weights(rows, rng)) for rows, rng in block_rngs(seed, stream, n_resamples)]
    return np.concatenate(blocks, axis=0)


def swapped_sums(matrix: np.ndarray, n_resamples: int, seed: int, units: np.ndarray | None = None) -> np.ndarray:
    """``(B, K)`` sums of the rows of ``matrix`` picked by a fair coin per item and resample, or per unit
    when ``units`` gives each item's unit (cluster) code."""
    if n_resamples <= 0:
        raise DataError("the number of resamples must be positive")
    n_items = matrix.shape[0]
    n_units = n_items if units is None else int(units.max()) + 1
    sums = ExactSums(matrix)
    blocks = []
    for rows, rng in block_rngs(seed, SWAP_STREAM, n_resamples):
        coins = rng.integers(0, 2, size=(rows, n_units))
        blocks.append(sums(coins if units is None else coins[:, units]))
    return np.concatenate(blocks, axis=0)
