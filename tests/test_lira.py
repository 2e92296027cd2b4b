"""LiRA against a case computed by hand, per-record against pooled variance, and what ``derived`` records."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from leakpro.attacks.membership.lira import LiraAttack, LiraParams, fit_gaussians, lira_fit_scores, lira_scores
from leakpro.data.dataset import Dataset
from leakpro.game.view import AttackerView, QueryOracle, ReferenceSignals, ThreatModel

# Three records, four reference models. Each record is IN for two models and OUT for the other two.
TRAINED_ON = np.array([
    [True, True, False],
    [False, False, True],
    [True, False, True],
    [False, True, False],
])
# Reference signals φ (k, N), chosen so that every mean and variance is a small whole number:
#   record 0: IN (models 0, 2) = 3, 5 → mean 4, variance 2;  OUT (models 1, 3) = 0, 2 → mean 1, variance 2
#   record 1: IN (models 0, 3) = 1, 3 → mean 2, variance 2;  OUT (models 1, 2) = −1, 1 → mean 0, variance 2
#   record 2: IN (models 1, 2) = 6, 8 → mean 7, variance 2;  OUT (models 0, 3) = 1, 5 → mean 3, variance 8
REF_PHI = np.array([
    [3.0, 1.0, 1.0],
    [0.0, -1.0, 6.0],
    [5.0, 1.0, 8.0],
    [2.0, 3.0, 5.0],
])
TARGET_PHI = np.array([3.0, 0.0, 5.0])
# Pooled over records (fixed variance): IN squared deviations 2 + 2 + 2 = 6 over 6 − 3 = 3 degrees of
# freedom → variance 2; OUT 2 + 2 + 8 = 12 over 3 → variance 4.


def log_normal(x: float, mean: float, var: float) -> float:
    return -0.5 * math.log(2 * math.pi * var) - (x - mean) ** 2 / (2 * var)


def log_phi(z: float) -> float:
    return math.log(0.5 * (1 + math.erf(z / math.sqrt(2))))


def test_online_per_record_by_hand():
    # log N(x; μ_in, σ²_in) − log N(x; μ_out, σ²_out) with each record's own variances:
    #   record 0, x = 3: −(3−4)²/4 + (3−1)²/4 = 0.75
    #   record 1, x = 0: −(0−2)²/4 + (0−0)²/4 = −1
    #   record 2, x = 5: −½·log(2/8) − (5−7)²/4 + (5−3)²/16 = log 2 − 0.75
    expected = [0.75, -1.0, math.log(2) - 0.75]
    got = lira_scores(TARGET_PHI, REF_PHI, TRAINED_ON, online=True, fixed_variance=False)
    assert got == pytest.approx(expected, abs=1e-12)
    # the same through the textbook densities
    by_density = [log_normal(3, 4, 2) - log_normal(3, 1, 2), log_normal(0, 2, 2) - log_normal(0, 0, 2),
                  log_normal(5, 7, 2) - log_normal(5, 3, 8)]
    assert got == pytest.approx(by_density, abs=1e-12)


def test_online_fixed_variance_by_hand():
    # pooled variances 2 (IN) and 4 (OUT): −½·log(2/4) = ½·log 2 in every record
    #   record 0: ½log2 − (3−4)²/4 + (3−1)²/8 = ½log2 + 0.25
    #   record 1: ½log2 − (0−2)²/4 + (0−0)²/8 = ½log2 − 1
    #   record 2: ½log2 − (5−7)²/4 + (5−3)²/8 = ½log2 − 0.5
    half_log2 = 0.5 * math.log(2)
    expected = [half_log2 + 0.25, half_log2 - 1.0, half_log2 - 0.5]
    got = lira_scores(TARGET_PHI, REF_PHI, TRAINED_ON, online=True, fixed_variance=True)
    assert got == pytest.approx(expected, abs=1e-12)


def test_offline_by_hand():
    # log Φ((x − μ_out)/σ_out): pooled σ_out = 2; per record σ_out = √2, √2, √8
    fixed = [log_phi((3 - 1) / 2), log_phi(0.0), log_phi((5 - 3) / 2)]
    own = [log_phi((3 - 1) / math.sqrt(2)), log_phi(0.0), log_phi((5 - 3) / math.sqrt(8))]
    assert lira_scores(TARGET_PHI, REF_PHI, TRAINED_ON, False, True) == pytest.approx(fixed, abs=1e-12)
    assert lira_scores(TARGET_PHI, REF_PHI, TRAINED_ON, False, False) == pytest.approx(own, abs=1e-12)


def test_per_record_variance_matches_a_loop_and_differs_from_pooled():
    """Records whose spread differs tenfold: each record's σ is the plain sample std of its own signals."""
    rng = np.random.default_rng(0)
    k, n = 16, 200
    trained_on = np.zeros((k, n), dtype=bool)
    for i in range(0, k, 2):
        half = rng.permutation(n) < n // 2
        trained_on[i], trained_on[i + 1] = half, ~half
    spread = np.where(np.arange(n) % 2 == 0, 0.2, 2.0)
    ref_phi = rng.normal(size=(k, n)) * spread + np.where(trained_on, 1.0, 0.0)
    own = fit_gaussians(ref_phi, ~trained_on, fixed=False)
    pooled = fit_gaussians(ref_phi, ~trained_on, fixed=True)
    for j in range(n):
        out = ref_phi[~trained_on[:, j], j]
        assert own.mean[j] == pytest.approx(out.mean())
        assert own.std[j] == pytest.approx(out.std(ddof=1))
    assert own.own.all() and not pooled.own.any()
    assert np.ptp(pooled.std) == 0 and np.ptp(own.std) > 1.0
    # true σ 0.2 and 2.0; the pooled σ is near √((0.2² + 2²)/2) ≈ 1.42, far from both
    assert np.median(own.std[::2]) < 0.3 < 1.2 < pooled.std[0] < 1.6 < np.median(own.std[1::2])
    target = rng.normal(size=n) * spread
    assert not np.allclose(lira_scores(target, ref_phi, trained_on, True, False),
                           lira_scores(target, ref_phi, trained_on, True, True))


def test_records_short_of_models_fall_back_one_by_one():
    """A record with one OUT model gets the pooled σ; the others keep their own."""
    trained_on = TRAINED_ON.copy()
    trained_on[1, 0] = True  # record 0 is now OUT for model 3 only
    fit = fit_gaussians(REF_PHI, ~trained_on, fixed=False)
    assert fit.own.tolist() == [False, True, True]
    assert fit.std[1] == pytest.approx(math.sqrt(2)) and fit.std[2] == pytest.approx(math.sqrt(8))
    # pooled from the records that have two: (2 + 8) squared deviations over 2 degrees of freedom
    assert fit.std[0] == pytest.approx(math.sqrt(5))


def test_no_within_record_spread_uses_the_spread_across_records():
    """Two reference models: one IN and one OUT per record, no within-record variance to pool.
    The pooled σ is then the spread of all the signals across records, never a silent σ ≈ 0."""
    trained_on = np.array([[True, False, True], [False, True, False]])
    ref_phi = np.array([[1.0, 2.0, 6.0], [3.0, 4.0, 5.0]])
    fit = fit_gaussians(ref_phi, ~trained_on, fixed=True)  # OUT values: 3, 2, 5
    assert fit.std == pytest.approx([math.sqrt(7 / 3)] * 3)  # sample variance of 2, 3, 5: 14/3 / 2
    assert "across records" in fit.pooled_from
    scores, fits = lira_fit_scores(np.zeros(3), ref_phi, trained_on, True, True)
    assert np.isfinite(scores).all() and set(fits) == {"in", "out"}


class _NoTarget:
    n_classes = 2


def _view(target_phi: np.ndarray, ref_phi: np.ndarray, trained_on: np.ndarray) -> AttackerView:
    """Two classes, label 1, logits (0, φ): the logit margin of every record is exactly φ."""
    n = target_phi.size

    def logits(phi: np.ndarray) -> np.ndarray:
        return np.stack([np.zeros_like(phi), phi], axis=-1)

    records = Dataset("toy", np.zeros((n, 1)), np.ones(n, dtype=np.int64), ("a", "b"))
    refs = ReferenceSignals(logits(ref_phi), trained_on)
    return AttackerView(ThreatModel.SCORES, records, n, QueryOracle(_NoTarget(), ThreatModel.SCORES),  # type: ignore[arg-type]
                        lambda k: refs, seed=0, _target_logits=logits(target_phi))


def test_the_attack_records_what_it_did_about_variance():
    attack = LiraAttack(reference_models=4, fixed_variance=False)
    scores = attack.run(_view(TARGET_PHI, REF_PHI, TRAINED_ON))
    assert scores == pytest.approx([0.75, -1.0, math.log(2) - 0.75], abs=1e-9)
    assert attack.variance_records_ == {"in": {"own": 3, "pooled": 0}, "out": {"own": 3, "pooled": 0}}
    assert attack.variance_ == "per record: every record its own σ"

    short = TRAINED_ON.copy()
    short[1, 0] = True  # record 0: three IN models, one OUT
    attack = LiraAttack(reference_models=4, fixed_variance=False)
    attack.run(_view(TARGET_PHI, REF_PHI, short))
    assert attack.variance_records_ == {"in": {"own": 3, "pooled": 0}, "out": {"own": 2, "pooled": 1}}
    assert "OUT 2 own / 1 pooled" in attack.variance_

    attack = LiraAttack(reference_models=4)
    attack.run(_view(TARGET_PHI, REF_PHI, TRAINED_ON))
    assert attack.variance_.startswith("fixed") and attack.variance_records_["in"] == {"own": 0, "pooled": 3}


@pytest.mark.parametrize("k", [2, 3])
def test_per_record_variance_refused_with_too_few_models(k):
    with pytest.raises(ValidationError, match="fixed_variance: false needs reference_models >= 4"):
        LiraParams(reference_models=k, fixed_variance=False)
    LiraParams(reference_models=k)  # the fixed (pooled) variance is fine
    LiraParams(reference_models=4, fixed_variance=False)
