"""PSNR, SSIM, matching and accuracies against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leakpro.federated.metrics import (
    MAX_PSNR,
    label_accuracy,
    match_reconstructions,
    matched_image_scores,
    psnr,
    ssim,
    tabular_column_accuracy,
)


def test_psnr_hand_computed() -> None:
    a = np.zeros((4, 4))
    assert psnr(a + 0.1, a) == pytest.approx(20.0)  # MSE 0.01 → 10·log10(1/0.01)
    assert psnr(a + 0.5, a) == pytest.approx(10 * math.log10(4))
    b = a.copy()
    b[0, 0] = 1.0  # MSE 1/16
    assert psnr(b, a) == pytest.approx(10 * math.log10(16))
    assert psnr(a + 25.5, a, data_range=255.0) == pytest.approx(20.0)
    assert psnr(a, a) == MAX_PSNR
    with pytest.raises(ValueError, match="shapes differ"):
        psnr(a, np.zeros((3, 3)))


def test_ssim_hand_computed() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((8, 8))
    assert ssim(x, x) == pytest.approx(1.0)
    # Two constant images μx, μy: variances 0, so SSIM = (2μxμy + C1) / (μx² + μy² + C1).
    c1 = 0.01**2
    expected = (2 * 0.2 * 0.6 + c1) / (0.2**2 + 0.6**2 + c1)
    assert ssim(np.full((8, 8), 0.2), np.full((8, 8), 0.6)) == pytest.approx(expected)
    # One 3×3 window (win=3 on a 3×3 image): compute every term by hand.
    p = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    q = 1.0 - p
    mp, mq = p.mean(), q.mean()
    vp = ((p - mp) ** 2).sum() / 8
    vq = ((q - mq) ** 2).sum() / 8
    cov = ((p - mp) * (q - mq)).sum() / 8
    c2 = 0.03**2
    hand = ((2 * mp * mq + c1) * (2 * cov + c2)) / ((mp**2 + mq**2 + c1) * (vp + vq + c2))
    assert ssim(p, q, win=3) == pytest.approx(hand)
    assert ssim(p, q, win=3) < 0  # anti-correlated
    assert ssim(x[None], x[None]) == pytest.approx(1.0)


def test_matching_finds_the_permutation() -> None:
    rng = np.random.default_rng(1)
    originals = rng.random((5, 1, 4, 4))
    order = np.array([3, 0, 4, 1, 2])
    recon = originals[order] + 0.01
    perm = match_reconstructions(recon, originals)
    assert np.array_equal(order[perm], np.arange(5))
    _, psnrs, ssims = matched_image_scores(recon, originals)
    assert psnrs == pytest.approx([40.0] * 5)
    assert min(ssims) > 0.99


def test_label_and_tabular_accuracy() -> None:
    assert label_accuracy(np.array([3, 1, 1]), np.array([1, 3, 1])) == 1.0
    assert label_accuracy(np.array([0, 0, 0, 0]), np.array([0, 1, 2, 0])) == 0.5
    acc = tabular_column_accuracy(
        {"age": np.array([0.05, 1.0]), "sex": np.array(["F", "M"])},
        {"age": np.array([0.0, 0.0]), "sex": np.array(["F", "F"])},
    )
    assert acc == {"age": 0.5, "sex": 0.5}
    with pytest.raises(ValueError, match="no recovered values"):
        tabular_column_accuracy({}, {"age": np.zeros(1)})
