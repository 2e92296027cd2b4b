"""Metric functions against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.metrics.roc import auc, auc_delong_interval, max_balanced_accuracy, roc_curve, tpr_at_fpr
from leakpro.metrics.summary import membership_metrics
from leakpro.stats.intervals import clopper_pearson, clopper_pearson_one_sided, wilson


def test_roc_hand_case():
    # members score 0.9, 0.8, 0.4; non-members 0.7, 0.3, 0.2
    scores = np.array([0.9, 0.8, 0.4, 0.7, 0.3, 0.2])
    members = np.array([1, 1, 1, 0, 0, 0], dtype=bool)
    roc = roc_curve(scores, members)
    assert roc.tp.tolist() == [0, 1, 2, 2, 3, 3, 3]
    assert roc.fp.tolist() == [0, 0, 0, 1, 1, 2, 3]
    # 8 of 9 member/non-member pairs ordered correctly
    assert auc(scores, members) == pytest.approx(8 / 9)
    op = tpr_at_fpr(roc, 0.0)
    assert (op.tp, op.fp) == (2, 0)
    op = tpr_at_fpr(roc, 1 / 3)
    assert (op.tp, op.fp) == (3, 1)
    assert max_balanced_accuracy(roc) == pytest.approx(0.5 * (1 + 2 / 3))


def test_ties_count_half():
    scores = np.array([1.0, 1.0, 0.0, 1.0])
    members = np.array([1, 0, 0, 1], dtype=bool)
    # pairs (m, n): (1,1)=½, (1,0)=1, (1,1)=½, (1,0)=1 → 3/4
    assert auc(scores, members) == pytest.approx(0.75)
    roc = roc_curve(scores, members)
    assert roc.tp.tolist() == [0, 2, 2] and roc.fp.tolist() == [0, 1, 2]
    assert tpr_at_fpr(roc, 0.0).tp == 0  # the tied group cannot be split


def test_delong_matches_auc_and_covers_half_under_null():
    rng = np.random.default_rng(0)
    scores, members = rng.normal(size=4000), rng.random(4000) < 0.5
    a, lo, hi = auc_delong_interval(scores, members)
    assert a == pytest.approx(auc(scores, members))
    assert lo < 0.5 < hi
    assert 0.02 < hi - lo < 0.05  # ≈ 2·1.96·sqrt(1/12·(1/2000+1/2000))


def test_delong_variance_matches_hanley_mcneil_order():
    rng = np.random.default_rng(1)
    members = np.r_[np.ones(500, bool), np.zeros(500, bool)]
    scores = np.r_[rng.normal(1, 1, 500), rng.normal(0, 1, 500)]
    a, lo, hi = auc_delong_interval(scores, members)
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se_hm = np.sqrt((a * (1 - a) + 499 * (q1 - a * a) + 499 * (q2 - a * a)) / (500 * 500))
    assert (hi - lo) / (2 * 1.96) == pytest.approx(se_hm, rel=0.15)


def test_clopper_pearson_known_values():
    assert clopper_pearson(0, 10)[1] == pytest.approx(0.30850, abs=1e-4)
    lo, hi = clopper_pearson(5, 10)
    assert (lo, hi) == (pytest.approx(0.18709, abs=1e-4), pytest.approx(0.81291, abs=1e-4))
    assert clopper_pearson_one_sided(10, 10)[0] == pytest.approx(0.05 ** 0.1, abs=1e-6)
    with pytest.raises(ValueError, match="successes"):
        clopper_pearson(11, 10)


def test_wilson_known_value():
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)


def test_metrics_reject_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        auc(np.array([np.nan, 1.0]), np.array([True, False]))
    with pytest.raises(ValueError, match="both members and non-members"):
        auc(np.array([0.0, 1.0]), np.array([True, True]))
    with pytest.raises(ValueError, match="differ in length"):
        auc(np.array([0.0, 1.0, 2.0]), np.array([True, False]))


def test_summary_counts_and_intervals():
    scores = np.array([0.9, 0.8, 0.4, 0.7, 0.3, 0.2])
    members = np.array([1, 1, 1, 0, 0, 0], dtype=bool)
    m = membership_metrics(scores, members)
    zero = m["tpr_at_fpr"][-1]
    assert zero.fpr_level == 0.0 and zero.true_positives == 2 and zero.false_positives == 0
    assert zero.tpr.low == pytest.approx(clopper_pearson(2, 3)[0])
    assert m["advantage"] == pytest.approx(2 / 3)
