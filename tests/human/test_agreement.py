from __future__ import annotations

import math

import numpy as np

from adiff_bench.human.agreement import krippendorff_alpha

POINTS = (1, 2, 3, 4, 5)


def test_alpha_is_one_when_raters_agree_perfectly() -> None:
    truth = np.random.default_rng(0).integers(1, 6, size=50).astype(float)
    data = np.tile(truth, (5, 1))
    data[2, :5] = np.nan  # missing ratings do not break perfect agreement
    assert krippendorff_alpha(data, POINTS) == 1.0


def test_alpha_is_near_zero_for_random_raters() -> None:
    data = np.random.default_rng(1).integers(1, 6, size=(5, 400)).astype(float)
    assert abs(krippendorff_alpha(data, POINTS)) < 0.05


def test_alpha_is_between_for_noisy_raters_and_falls_with_noise() -> None:
    rng = np.random.default_rng(2)
    truth = rng.integers(1, 6, size=200)
    alphas = []
    for noise in (0.3, 1.0, 2.0):
        ratings = np.clip(np.rint(truth + rng.normal(0, noise, size=(4, 200))), 1, 5)
        alphas.append(krippendorff_alpha(ratings, POINTS))
    assert 1 > alphas[0] > alphas[1] > alphas[2] > 0


def test_alpha_is_undefined_without_two_raters_or_variation() -> None:
    assert math.isnan(krippendorff_alpha(np.array([[1.0, 2.0, 3.0]]), POINTS))
    assert math.isnan(krippendorff_alpha(np.full((3, 4), 4.0), POINTS))
    assert math.isnan(krippendorff_alpha(np.array([[1.0, np.nan], [np.nan, 2.0]]), POINTS))
