"""Weighted column sums that come out bit-identical on every CPU.

A float matrix product ``weights @ values`` adds its terms in an order chosen by the BLAS kernel (blocking,
SIMD width, FMA), so its last bits differ between machines, and a printed CI on a rounding edge changes digit.
Resample weights are integer counts, so the sums can be made exact instead:

* each value column is split into integer "limbs" on a fixed binary grid below the column's largest value
  (integer-valued columns, e.g. n-gram counts, are their own single limb);
* a float64 product of integer weights with integer limbs is exact whenever every partial sum stays below
  2**53, whatever order the BLAS adds in: the limb width is chosen from the largest row sum of |weights|
  so that it always does. So the fast BLAS product is used, and its result no longer depends on the kernel;
* the exact limb sums are recombined with error-free two-sums (elementwise IEEE operations, the same
  everywhere).

The result is the exact weighted sum correctly rounded when a column needs at most two limbs (integers,
and any values within about 2**-25 of the column's largest magnitude down to the last bit) and within one
unit in the last place otherwise; values more than ``MAX_LIMBS`` limbs below the column maximum are rounded
to that grid first. Either way the same inputs give the same bits on every machine. Columns holding NaN
or infinity use the plain product: IEEE non-finite sums do not depend on the order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from adiff_bench.errors import DataError

MAX_LIMBS = 4
MANTISSA = 53
MIN_LIMB_BITS = 8


@dataclass(frozen=True, eq=False)
class Limbs:
    """The integer-limb form of an ``(n, K)`` value matrix for weights whose |row sums| fit ``bits`` bits."""

    matrix: np.ndarray  # (n, K') float64 holding integers, |entry| < 2**limb_bits
    columns: tuple[tuple[int, int, int], ...]  # per original column: (first limb, number of limbs, exponent)
    raw: np.ndarray  # indices of non-finite columns, summed by the plain product
    n_columns: int


def limb_bits(weights: np.ndarray) -> int:
    """Bits per limb so that sum_i |w_i| * |limb_i| < 2**53 for every row of ``weights``."""
    if not weights.size:
        return MANTISSA - 1
    row_sums = (weights if weights.min() >= 0 else np.abs(weights)).sum(axis=1)
    bits = MANTISSA - int(int(row_sums.max(initial=0)) + 1).bit_length()
    if bits < MIN_LIMB_BITS:
        raise DataError(f"resample weights too large for exact sums (row sum {int(row_sums.max())})")
    return bits


def split(matrix: np.ndarray, bits: int) -> Limbs:
    """Cut each column into integer limbs of ``bits`` bits on a grid set by the column's largest value."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2:
        raise DataError(f"expected an (items, columns) matrix, got shape {matrix.shape}")
    finite = np.isfinite(matrix).all(axis=0)
    safe = np.where(finite, matrix, 0.0)
    integer = finite & (np.abs(safe).max(axis=0, initial=0.0) < 2.0**bits) & (safe == np.trunc(safe)).all(axis=0)
    pieces: list[np.ndarray] = []
    columns: list[tuple[int, int, int]] = []
    start = 0
    for j in range(matrix.shape[1]):
        if not finite[j]:
            columns.append((start, 0, 0))
            continue
        if integer[j]:  # integers already: one exact limb, scaled back by 2**(bits - bits)
            pieces.append(matrix[:, j : j + 1])
            columns.append((start, 1, bits))
            start += 1
            continue
        column = matrix[:, j]
        magnitude = np.abs(column)
        exponent = int(np.frexp(magnitude.max())[1])  # every |value| < 2**exponent
        low = int(np.frexp(magnitude[magnitude > 0].min())[1])
        needed = exponent - low + MANTISSA  # bits from the top of the column to the last bit of its smallest value
        count = min(MAX_LIMBS, -(-needed // bits))
        rest = np.ldexp(column, -exponent)  # exact: a power-of-two scaling
        limbs = []
        for k in range(count):
            scaled = np.ldexp(rest, bits)
            limb = np.trunc(scaled) if k < count - 1 else np.rint(scaled)
            rest = scaled - limb  # exact: the fractional part of a double
            limbs.append(limb)
        pieces.append(np.stack(limbs, axis=1))
        columns.append((start, count, exponent))
        start += count
    raw = np.flatnonzero(~finite)
    stacked = np.concatenate(pieces, axis=1) if pieces else np.zeros((matrix.shape[0], 0))
    return Limbs(np.ascontiguousarray(stacked), tuple(columns), raw, matrix.shape[1])


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s = fl(a + b) and the exact error e with a + b = s + e (Knuth; no branches, any magnitudes)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def combine(products: np.ndarray, limbs: Limbs, bits: int) -> np.ndarray:
    """``(B, K)`` sums from the exact ``(B, K')`` limb sums."""
    out = np.empty((products.shape[0], limbs.n_columns))
    for j, (first, count, exponent) in enumerate(limbs.columns):
        if count == 0:
            continue
        terms = [np.ldexp(products[:, first + k], exponent - (k + 1) * bits) for k in range(count)]
        total, error = terms[0], np.zeros_like(terms[0])
        for term in terms[1:]:
            total, e = two_sum(total, term)
            error = error + e
        out[:, j] = total + error
    return out


class ExactSums:
    """``weights @ matrix`` for integer ``(B, n)`` weights, the same bits on every machine; the limb split
    of ``matrix`` is made once and reused for every block of resamples with the same limb width."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = np.asarray(matrix, dtype=np.float64)
        if self.matrix.ndim != 2:
            raise DataError(f"expected an (items, columns) matrix, got shape {self.matrix.shape}")
        self._limbs: dict[int, Limbs] = {}

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        weights = np.asarray(weights)
        if weights.dtype.kind not in "iub" and not np.array_equal(weights, np.trunc(weights)):
            raise DataError("exact resampled sums need integer weights")
        weights = weights.astype(np.int64, copy=False)
        bits = limb_bits(weights)
        if bits not in self._limbs:
            self._limbs[bits] = split(self.matrix, bits)
        limbs = self._limbs[bits]
        as_float = weights.astype(np.float64)
        out = combine(as_float @ limbs.matrix, limbs, bits)
        if limbs.raw.size:
            with np.errstate(invalid="ignore", over="ignore"):
                out[:, limbs.raw] = as_float @ self.matrix[:, limbs.raw]
        return out


def weighted_sums(weights: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``weights @ matrix`` for integer ``(B, n)`` weights, computed so every machine gets the same bits."""
    return ExactSums(matrix)(weights)


def column_sums(matrix: np.ndarray) -> np.ndarray:
    """Exact (correctly rounded, machine-independent) column sums of an ``(n, K)`` matrix: ``math.fsum`` per
    column; non-finite columns as IEEE sums (whose NaN/inf result does not depend on the order)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2:
        raise DataError(f"expected an (items, columns) matrix, got shape {matrix.shape}")
    finite = np.isfinite(matrix).all(axis=0)
    rows = np.ascontiguousarray(matrix.T).tolist()  # one conversion: math.fsum is fast on Python floats
    return np.array(
        [math.fsum(row) if ok else float(np.sum(row)) for row, ok in zip(rows, finite, strict=True)],
        dtype=np.float64,
    )
