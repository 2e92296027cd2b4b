"""Intervals cover their truth on known-truth simulations; levels survive picking the best of many attacks.

A fast version of ``benchmarks/calibration.py``: 200 repetitions per setting, coverage asserted ≥ 0.91 for a
nominal 95 % (the benchmark's 500 repetitions are held to 93–97 %). The old Clopper–Pearson interval at the
data-chosen threshold is checked to fail the same assertion, so the test can tell the two apart.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from leakpro.metrics.calibration import Coverage, binormal_coverage, true_epsilon, true_tpr
from leakpro.metrics.roc import roc_curve, tpr_at_fpr
from leakpro.metrics.simultaneous import simultaneous_intervals
from leakpro.metrics.tpr_interval import tpr_at_fpr_interval, tpr_mixture_draws
from leakpro.report.risk import MEMBERSHIP_THRESHOLDS, RiskLevel, assess_target, level_of
from leakpro.results.types import Interval, TargetResult
from leakpro.stats.intervals import clopper_pearson

REPS = 200


@functools.cache
def _coverage(mu: float, n: int) -> Coverage:
    """One simulation per setting, shared by the tests that read it (the per-attack ε figure is not read here)."""
    return binormal_coverage(mu, n, REPS, seed=12, epsilon_heuristic=False)


@pytest.mark.parametrize(("mu", "n"), [(0.0, 2000), (1.0, 2000), (2.0, 2000), (0.5, 10_000)])
def test_auc_and_tpr_intervals_cover(mu: float, n: int) -> None:
    cov = _coverage(mu, n)
    assert cov.rate() >= 0.91, f"AUC coverage {cov.rate():.3f}"
    for level, held in cov.tpr.items():
        if n * level >= 10:  # calibrated region; below it the interval is conservative, checked separately
            assert 0.91 <= held / REPS <= 0.995, f"TPR@{level} coverage {held / REPS:.3f}"
    assert cov.one_run_violations <= 0.05 * REPS + 3 * np.sqrt(0.05 * REPS)


def test_conservative_where_few_false_alarms() -> None:
    cov = _coverage(1.0, 2000)  # 0.1 % of 2,000 non-members: 2 false alarms (a level the test above skips)
    assert cov.tpr[0.001] / REPS >= 0.93


def test_clopper_pearson_at_a_chosen_threshold_under_covers() -> None:
    """The old interval, on the same simulation: the assertion above would fail on it."""
    rng = np.random.default_rng(5)
    n, mu, held = 2000, 2.0, 0
    truth = true_tpr(mu, 0.01)
    members = np.r_[np.ones(n, bool), np.zeros(n, bool)]
    for _ in range(REPS):
        op = tpr_at_fpr(roc_curve(np.r_[rng.normal(mu, 1, n), rng.normal(0, 1, n)], members), 0.01)
        lo, hi = clopper_pearson(op.tp, op.positives)
        held += lo <= truth <= hi
    assert held / REPS < 0.8


def test_tpr_interval_is_a_function_of_the_roc_only() -> None:
    rng = np.random.default_rng(3)
    scores = np.round(np.r_[rng.normal(1, 1, 500), rng.normal(0, 1, 500)], 1)  # many ties
    members = np.r_[np.ones(500, bool), np.zeros(500, bool)]
    perm = rng.permutation(1000)
    a = tpr_at_fpr_interval(roc_curve(scores, members), 0.01)
    b = tpr_at_fpr_interval(roc_curve(scores[perm], members[perm]), 0.01)
    assert a == b and a.low < a.high
    assert not a.calibrated and "conservative" in a.method  # 500 non-members allow 5 false alarms at 1 %
    assert tpr_at_fpr_interval(roc_curve(scores, members), 0.1).calibrated


def test_mixture_draws_are_those_of_one_generator_drawing_in_order() -> None:
    """The ROC-free draws are cached across intervals; the draws must equal a plain, uncached reading of the
    mixture from one generator (ranks, uniforms, then the Jeffreys draws), on the first call and from the cache."""
    rng = np.random.default_rng(8)
    members = np.r_[np.ones(300, bool), np.zeros(400, bool)]
    for mu in (0.0, 1.5):
        roc = roc_curve(np.round(np.r_[rng.normal(mu, 1, 300), rng.normal(0, 1, 400)], 1), members)
        ref = np.random.default_rng(np.random.SeedSequence([4, 0x7F1A, 300, 400]))
        rank = ref.binomial(400, 0.02, size=5000)
        uniform = ref.random(5000)
        above_nth = [max(roc.tp[roc.fp <= r - 1], default=0) for r in range(rank.max() + 1)]  # members above
        above_next = [max(roc.tp[roc.fp <= r]) for r in range(rank.max() + 1)]  # the N-th, (N+1)-th non-member
        lo, hi = np.array(above_nth)[rank], np.array(above_next)[rank]
        m = lo + np.floor(uniform * (hi - lo + 1)).astype(np.int64)
        expected = ref.beta(m + 0.5, 300 - m + 0.5)
        for _ in range(2):
            assert np.array_equal(tpr_mixture_draws(roc, 0.02, 5000, seed=4), expected)


def test_true_epsilon_of_gaussian_scores() -> None:
    assert true_epsilon(0.0, 1e-5) == 0.0
    # μ-GDP: δ(ε) = Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2); at μ = 1, δ = 1e-5 the ε is about 4.38
    assert true_epsilon(1.0, 1e-5) == pytest.approx(4.377, abs=0.01)
    assert true_epsilon(2.0, 1e-5) > true_epsilon(1.0, 1e-5)


def _null_target(k: int, n: int, seed: int) -> TargetResult:
    """k attacks on a model that leaks nothing: every attack's scores are independent of membership."""
    rng = np.random.default_rng(seed)
    members = np.r_[np.ones(n, bool), np.zeros(n, bool)]
    scores = {f"attack-{i}": rng.normal(size=2 * n) for i in range(k)}
    sim = simultaneous_intervals(scores, members)
    attacks = []
    for name in scores:
        figs = sim.attacks[name]
        attacks.append(_attack(name, figs["auc"]))
    return TargetResult(name="null", role="null", description="", train_accuracy=None, test_accuracy=None,
                        scores_file="", attacks=attacks, simultaneous=sim)


def _attack(name: str, auc: Interval):  # type: ignore[no-untyped-def]
    from leakpro.results.types import AttackResult

    return AttackResult(id=name, attack=name, title=name, paper="", threat_model="scores", params={}, seed=0,
                        runtime_s=0.0, queries=0, auc=auc, tpr_at_fpr=[], balanced_accuracy=0.5, advantage=0.0,
                        roc={"fpr": [], "tpr": []}, scores_column=name)


def test_best_of_many_null_attacks_reads_low() -> None:
    """Twelve attacks that leak nothing, small samples: the best point estimate often reaches Moderate, the
    simultaneous lower ends almost never do."""
    point_moderate = simultaneous_low = 0
    seeds = 40
    for seed in range(seeds):
        target = _null_target(12, 300, seed)
        assert target.simultaneous is not None
        best = max(level_of(MEMBERSHIP_THRESHOLDS, {"auc": f["auc"].value, "tpr@1%": f["tpr@1%"].value})
                   for f in target.simultaneous.attacks.values())
        point_moderate += best > RiskLevel.LOW
        assessment = assess_target(target)
        assert assessment is not None and assessment.level < RiskLevel.HIGH
        simultaneous_low += assessment.level == RiskLevel.LOW
    assert point_moderate >= seeds // 4  # the inflation the correction removes
    assert simultaneous_low >= 0.95 * seeds


def test_simultaneous_intervals_are_wider_and_counted() -> None:
    rng = np.random.default_rng(1)
    members = np.r_[np.ones(1000, bool), np.zeros(1000, bool)]
    scores = {"a": rng.normal(size=2000) + members * 0.5, "b": rng.normal(size=2000)}
    sim = simultaneous_intervals(scores, members)
    assert sim.comparisons == 2 * 3  # AUC, TPR@1 %, TPR@0.1 % (1,000 non-members resolve 0.1 %)
    assert sim.comparison_confidence == pytest.approx(1 - 0.05 / 6)
    single = tpr_at_fpr_interval(roc_curve(scores["a"], members), 0.01)
    joint = sim.attacks["a"]["tpr@1%"]
    assert joint.low < single.low and joint.high > single.high
    assert sim.method.startswith("Bonferroni, over 2 attacks")
