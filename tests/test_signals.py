"""Signals in log space: exact where float32 probabilities saturate."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.signals.math import cross_entropy, log_prob_true, logit_margin
from leakpro.targets.logits import probs_to_logits


def test_logit_margin_matches_definition():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(50, 4)), rng.integers(0, 4, 50)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    py = p[np.arange(50), y]
    assert np.allclose(logit_margin(z, y), np.log(py / (1 - py)))
    assert np.allclose(cross_entropy(z, y), -np.log(py))
    assert np.allclose(log_prob_true(z, y), np.log(py))


def test_no_saturation_for_confident_records():
    z = np.array([[0.0, 40.0], [0.0, 60.0]])  # float32 softmax gives exactly 1.0 for both
    y = np.array([1, 1])
    phi = logit_margin(z, y)
    assert phi.tolist() == [40.0, 60.0]
    assert cross_entropy(z, y)[0] > cross_entropy(z, y)[1] > 0


def test_batched_shapes():
    z = np.zeros((3, 5, 2))
    assert logit_margin(z, np.zeros(5, dtype=int)).shape == (3, 5)
    with pytest.raises(ValueError, match="rows"):
        logit_margin(np.zeros((4, 2)), np.zeros(5, dtype=int))


def test_probs_to_logits_floors_zero():
    lg = probs_to_logits(np.array([[1.0, 0.0]]))
    assert np.isfinite(lg).all() and logit_margin(lg, np.array([0]))[0] == pytest.approx(-np.log(1e-30))
    with pytest.raises(ValueError, match="NaN"):
        probs_to_logits(np.array([[np.nan, 1.0]]))
