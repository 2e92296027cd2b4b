"""RMIA's sort + binary-search scoring equals the brute-force pairwise version."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.attacks.membership.rmia import (
    RmiaParams,
    log_marginal,
    rmia_scores,
    rmia_scores_bruteforce,
)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("seed", range(5))
def test_fast_equals_bruteforce(seed, gamma):
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=300), rng.normal(size=500)
    fast = rmia_scores(x, z, gamma)
    brute = rmia_scores_bruteforce(x, z, gamma)
    # the fast score adds a tie-break smaller than one count: its floor is the pairwise count
    assert np.array_equal(np.floor(fast * z.size + 1e-9), np.round(brute * z.size))
    assert (fast - brute < 1.0 / z.size).all() and (fast >= brute - 1e-12).all()


def test_ties_are_broken_by_the_ratio():
    x = np.array([5.0, 6.0, 7.0])  # all beat every z: equal counts
    z = np.array([0.0, 1.0])
    s = rmia_scores(x, z, 1.0)
    assert np.all(np.diff(s) > 0)


def test_offline_marginal_correction():
    ref = np.log(np.array([[0.2, 0.9], [0.4, 0.7]]))
    use = np.ones_like(ref, dtype=bool)
    mean = np.array([0.3, 0.8])
    assert np.allclose(np.exp(log_marginal(ref, use, None)), mean)
    a = 0.4
    assert np.allclose(np.exp(log_marginal(ref, use, a)), 0.5 * ((1 + a) * mean + (1 - a)))


def test_offline_needs_two_reference_models():
    with pytest.raises(ValueError, match="offline RMIA needs"):
        RmiaParams(mode="offline", reference_models=1)
