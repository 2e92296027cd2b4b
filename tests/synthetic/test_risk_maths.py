"""Risk, Wilson and AUC maths on hand-computed cases and against slow obviously-correct versions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from leakpro.stats.intervals import wilson
from leakpro.synthetic.risk import auc_delong, no_better_than_baseline, risk_estimate, success_rate


def _wilson_by_hand(k: int, n: int, z: float) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_wilson_hand_case() -> None:
    lo, hi = wilson(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    assert success_rate(5, 10).value == 0.5


def test_risk_point_and_interval_by_hand() -> None:
    ori, control = success_rate(80, 100), success_rate(20, 100)
    r = risk_estimate(ori, control)
    assert r.value == pytest.approx((0.8 - 0.2) / 0.8)
    z = 2.241402727604947  # norm.ppf(1 - 0.025 / 2): each rate at 97.5 % (Bonferroni)
    o_lo, o_hi = _wilson_by_hand(80, 100, z)
    c_lo, c_hi = _wilson_by_hand(20, 100, z)
    assert r.low == pytest.approx((o_lo - c_hi) / (1 - c_hi))
    assert r.high == pytest.approx((o_hi - c_lo) / (1 - c_lo))
    assert r.low < r.value < r.high


def test_risk_equal_rates_interval_contains_zero_and_edge_cases() -> None:
    r = risk_estimate(success_rate(30, 100), success_rate(30, 100))
    assert r.value == 0.0 and r.low < 0.0 < r.high
    full = risk_estimate(success_rate(100, 100), success_rate(100, 100))
    assert full.value == 0.0 and -1.0 <= full.low <= full.high <= 1.0


def test_baseline_flag() -> None:
    assert no_better_than_baseline(success_rate(12, 100), success_rate(10, 100))
    assert not no_better_than_baseline(success_rate(60, 100), success_rate(10, 100))


def _delong_slow(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return float(psi.mean()), float(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))


def test_auc_delong_matches_pairwise_definition() -> None:
    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 20, 60).astype(float), rng.integers(0, 18, 45).astype(float)  # with ties
    a = auc_delong(pos, neg)
    auc, var = _delong_slow(pos, neg)
    assert a.value == pytest.approx(auc)
    assert a.value == pytest.approx(roc_auc_score(np.r_[np.ones(60), np.zeros(45)], np.r_[pos, neg]))
    half = 1.959963984540054 * math.sqrt(var)
    assert (a.low, a.high) == pytest.approx((auc - half, auc + half))


def test_auc_hand_case() -> None:
    a = auc_delong(np.array([0.9, 0.8, 0.3]), np.array([0.1, 0.4]))
    assert a.value == pytest.approx(5 / 6)
