"""Risk, Wilson and AUC maths on hand-computed cases and against slow obviously-correct versions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from leakpro.stats.intervals import wilson
from leakpro.synthetic.results import risk_result
from leakpro.synthetic.risk import (
    CONTROL_CEILING,
    auc_delong,
    auc_interval,
    no_better_than_baseline,
    risk_estimate,
    simultaneous_confidence,
    success_rate,
    undefined_reason,
)


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
    assert r.low is not None and r.high is not None and r.value is not None and r.low < r.value < r.high


def test_risk_equal_rates_interval_contains_zero() -> None:
    r = risk_estimate(success_rate(30, 100), success_rate(30, 100))
    assert r.value == 0.0 and r.low is not None and r.high is not None and r.low < 0.0 < r.high


def test_risk_undefined_when_the_control_already_succeeds() -> None:
    """498/500 on CONTROL used to print a risk of 100 % with interval [-100 %, 100 %]."""
    r = risk_estimate(success_rate(500, 500), success_rate(498, 500))
    assert r.value is None and r.low is None and r.high is None
    assert r.undefined_reason is not None
    assert "already succeeds (498/500" in r.undefined_reason and "adds nothing measurable" in r.undefined_reason
    every = risk_estimate(success_rate(20, 20), success_rate(20, 20))
    assert every.value is None and "every target (20/20)" in str(every.undefined_reason)
    assert risk_estimate(success_rate(0, 0), success_rate(0, 0)).value is None


def test_undefined_rule_against_its_definition() -> None:
    """Undefined exactly when every control target succeeded or the control's Wilson lower end is >= 95 %."""
    for n in (20, 100, 500):
        for c in range(n + 1):
            for confidence in (0.95, 1 - 0.05 / 30):
                expected = c == n or wilson(c, n, confidence)[0] >= CONTROL_CEILING
                assert (undefined_reason(success_rate(c, n), confidence) is not None) == expected, (c, n)
    assert undefined_reason(success_rate(470, 500)) is None  # 94 %: room left, the risk is measured
    assert undefined_reason(success_rate(490, 500)) is not None  # 98 %: lower end 96.3 %
    # at the confidence of a family of 30 the same control may still leave room: decided where the level is read
    assert undefined_reason(success_rate(487, 500)) is not None
    assert undefined_reason(success_rate(487, 500), 1 - 0.05 / 30) is None


def test_risk_interval_is_not_clipped() -> None:
    r = risk_estimate(success_rate(50, 100), success_rate(90, 100))
    assert r.value == pytest.approx((0.5 - 0.9) / 0.1)
    assert r.low is not None and r.high is not None and r.low < r.value < r.high
    assert r.low < -1.0  # the old code clipped this to -100 %
    top = risk_estimate(success_rate(100, 100), success_rate(0, 100))
    assert top.value == 1.0 and top.high == 1.0 and top.low is not None and 0.9 < top.low < 1.0


def test_bonferroni_width_of_a_family() -> None:
    """Each of k intervals at 1 - 0.05/k: wider than 95 %, by the ratio of the normal quantiles for AUCs."""
    ori, control = success_rate(300, 500), success_rate(250, 500)
    single = risk_result(ori, control, 1)
    family = risk_result(ori, control, 30)
    assert single.simultaneous is not None and family.simultaneous is not None
    assert family.simultaneous.confidence == pytest.approx(1 - 0.05 / 30) and family.simultaneous.family_size == 30
    assert (family.ci_low, family.ci_high) == (single.ci_low, single.ci_high)  # the 95 % interval is kept
    assert (single.simultaneous.ci_low, single.simultaneous.ci_high) == pytest.approx((single.ci_low, single.ci_high))
    z = 3.3414789560386264  # norm.ppf(1 - 0.05 / 30 / 2 / 2): each rate at 1 - alpha/(2k)
    o_lo, o_hi = _wilson_by_hand(300, 500, z)
    c_lo, c_hi = _wilson_by_hand(250, 500, z)
    assert family.simultaneous.ci_low == pytest.approx((o_lo - c_hi) / (1 - c_hi), abs=1e-4)
    assert family.simultaneous.ci_high == pytest.approx((o_hi - c_lo) / (1 - c_lo), abs=1e-4)
    auc = auc_delong(np.arange(60.0), np.arange(20.0, 70.0))
    half_95 = auc.value - auc.low
    low, _ = auc_interval(auc.value, auc.std_error, simultaneous_confidence(2))
    assert (auc.value - low) / half_95 == pytest.approx(2.2414 / 1.96, rel=1e-3)  # z at 1 - 0.025/2 over z at 0.975


def test_family_intervals_hold_together_on_a_known_null() -> None:
    """Known truth: 30 attacks with no leak (ORI and CONTROL succeed equally often, rates up to 94 %). In at least
    95 % of simulated audits every simultaneous interval holds 0 and no lower end reaches Moderate (5 %), while
    reading the worst point estimate (the old rule) would report a level in most of them."""
    rng = np.random.default_rng(0)
    k, n, audits = 30, 500, 300
    misses = moderate = point_moderate = 0
    for _ in range(audits):
        p = rng.uniform(0.05, 0.94, k)
        ori, control = rng.binomial(n, p), rng.binomial(n, p)
        risks = [risk_result(success_rate(o, n), success_rate(c, n), k) for o, c in zip(ori, control, strict=True)]
        joint = [r.simultaneous for r in risks if r.simultaneous is not None]
        misses += any(not j.ci_low <= 0.0 <= j.ci_high for j in joint)
        moderate += max(j.ci_low for j in joint) >= 0.05
        point_moderate += max(r.value for r in risks if r.value is not None) >= 0.05
    assert misses / audits <= 0.05 and moderate / audits <= 0.05
    assert point_moderate / audits > 0.5


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
    assert a.std_error == pytest.approx(math.sqrt(var))


def test_auc_hand_case() -> None:
    a = auc_delong(np.array([0.9, 0.8, 0.3]), np.array([0.1, 0.4]))
    assert a.value == pytest.approx(5 / 6)
