"""Empirical ε lower bounds: known cases, the held-out correction, and the DP ceiling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leakpro.metrics.epsilon import epsilon_lower_bound


def test_randomised_response_bound_stays_below_true_epsilon():
    # ε-DP randomised response on one bit: report membership truthfully w.p. e^ε/(1+e^ε).
    eps = 1.0
    rng = np.random.default_rng(0)
    for seed in range(5):
        members = rng.random(20_000) < 0.5
        truthful = rng.random(20_000) < math.exp(eps) / (1 + math.exp(eps))
        scores = np.where(truthful, members, ~members).astype(float)
        bound = epsilon_lower_bound(scores, members, delta=0.0, seed=seed)
        assert 0.7 < bound.epsilon <= eps, bound


def test_no_signal_gives_no_bound():
    rng = np.random.default_rng(1)
    members = rng.random(4000) < 0.5
    assert epsilon_lower_bound(rng.normal(size=4000), members).epsilon < 0.3


def test_perfect_attack_reaches_the_sample_ceiling():
    members = np.r_[np.ones(2000, bool), np.zeros(2000, bool)]
    bound = epsilon_lower_bound(members.astype(float), members, delta=0.0)
    n = int((~members).sum()) // 2
    ceiling = math.log(1 / (1 - 0.025 ** (1 / n)))  # FPR upper bound with 0 of ~n errors
    assert bound.epsilon == pytest.approx(ceiling, rel=0.1) and bound.epsilon < 8


def test_one_run_matches_the_binomial_test_without_delta():
    from scipy import stats

    from leakpro.metrics.one_run import one_run_epsilon, one_run_p_value

    # all 100 guesses right: reject ε while P[Bin(100, q) = 100] = q^100 < 0.05
    eps = one_run_epsilon(m=1000, r=100, v=100, delta=0.0)
    q = 1 / (1 + math.exp(-eps))
    assert q ** 100 == pytest.approx(0.05, rel=1e-3)
    assert one_run_p_value(1000, 100, 60, 0.0, 0.0) == pytest.approx(stats.binom.sf(59, 100, 0.5))
    assert one_run_epsilon(m=1000, r=100, v=50, delta=0.0) == 0.0  # chance-level guessing bounds nothing
    # δ only weakens the bound
    assert one_run_epsilon(1000, 100, 90, delta=1e-5) <= one_run_epsilon(1000, 100, 90, delta=0.0)


def test_one_run_never_exceeds_true_epsilon_for_randomised_response():
    from leakpro.metrics.one_run import one_run_epsilon

    eps, m = 2.0, 2000
    rng = np.random.default_rng(3)
    for _ in range(5):
        correct = rng.random(m) < 1 / (1 + math.exp(-eps))  # ε-DP randomised response on each canary
        assert one_run_epsilon(m, m, int(correct.sum()), delta=0.0) <= eps
