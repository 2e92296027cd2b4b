"""RMIA: the sort + binary-search scoring against the brute-force pairwise version; offline ``a`` tuned on
reference models where it is known, and recorded as tuned, set or default."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.attacks.membership.rmia import (
    A_GRID,
    DEFAULT_A,
    RmiaAttack,
    RmiaParams,
    log_marginal,
    rmia_scores,
    rmia_scores_bruteforce,
    tune_offline_a,
)
from leakpro.data.dataset import Dataset
from leakpro.game.view import AttackerView, QueryOracle, ReferenceSignals, ThreatModel


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


def _world(kind: str, seed: int, k: int = 8, n: int = 600, z: int = 400, sigma: float = 0.3):
    """Simulated log Pr(x|θ') of k reference models on n candidates (paired halves) and z population records.

    "difficulty": records differ in how likely the model finds them (Pr_OUT uniform on [0.01, 0.5]) and a model
    that trained on x gives it 1.6 times Pr_OUT; with log-normal noise the optimal test divides by Pr_OUT
    itself, which is a = 1. "flat": every record alike (Pr_OUT 0.4, Pr_IN 0.6): the mean over the other models
    is noise only, and the least weight on it, a = 0, is best.
    """
    from leakpro.audit.reference_bank import reference_splits

    rng = np.random.default_rng(seed)
    trained = np.zeros((k, n + z), dtype=bool)
    trained[:, :n] = reference_splits(n, k, seed)
    if kind == "difficulty":
        log_out = np.log(rng.uniform(0.01, 0.5, n + z))
        base = np.where(trained, log_out + np.log(1.6), log_out)
    else:
        base = np.where(trained, np.log(0.6), np.log(0.4))
    return np.minimum(base + sigma * rng.standard_normal(base.shape), 0.0), trained, n


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("kind", "best"), [("difficulty", 1.0), ("flat", 0.0)])
def test_tune_offline_a_finds_the_known_best(kind, best, seed):
    choice = tune_offline_a(*_world(kind, seed))
    assert choice.a == best
    assert choice.pseudo_targets == (0, 1, 2, 3) and "tuned on reference models" in choice.source


def _pairwise_auc(s: np.ndarray, members: np.ndarray) -> float:
    pos, neg = s[members], s[~members]
    return float(((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean())


def test_tune_offline_a_is_the_grid_argmax_of_the_pseudo_target_auc():
    """Against a slow version: Pr(x) from an explicit loop over the OUT models, AUC by pairwise comparison
    (with γ = 1 RMIA's score orders records as LR(x) does, so the AUC of LR(x) is the attack's)."""
    ref_logp, trained, n = _world("difficulty", 7, k=5, n=120, z=80, sigma=1.0)
    choice = tune_offline_a(ref_logp, trained, n)
    p = np.exp(ref_logp)
    curve = []
    for a in A_GRID:
        aucs = []
        for j in choice.pseudo_targets:
            lr = np.empty(n)
            for x in range(n):
                outs = [p[m, x] for m in range(5) if m != j and not trained[m, x]]
                lr[x] = p[j, x] / (0.5 * ((1 + a) * np.mean(outs) + (1 - a)))
            aucs.append(_pairwise_auc(lr, trained[j, :n]))
        curve.append(np.mean(aucs))
    assert choice.a == A_GRID[int(np.argmax(curve))]
    assert choice.auc == pytest.approx(max(curve))


def test_which_reference_models_can_play_the_target():
    ref_logp, trained, n = _world("difficulty", 0, k=3)
    assert tune_offline_a(ref_logp, trained, n).pseudo_targets == (2,)  # models 0 and 1 are complementary halves
    two = tune_offline_a(ref_logp[:2], trained[:2], n)
    assert two.pseudo_targets == () and two.auc is None and two.a == DEFAULT_A
    assert two.source.startswith("default 0.5, not tuned")


class _NoTarget:
    n_classes = 2


def _view(ref_logp: np.ndarray, trained: np.ndarray, n: int, target_logp: np.ndarray) -> AttackerView:
    """Two classes, label 1, logits (log(1 − p), log p): Pr(x|θ) is exactly p."""

    def logits(logp: np.ndarray) -> np.ndarray:
        logp = np.minimum(logp, -1e-12)  # p < 1: the other class keeps a finite logit
        return np.stack([np.log(-np.expm1(logp)), logp], axis=-1)

    r = trained.shape[1]
    records = Dataset("toy", np.zeros((r, 1)), np.ones(r, dtype=np.int64), ("a", "b"))
    refs = ReferenceSignals(logits(ref_logp), trained)
    return AttackerView(ThreatModel.SCORES, records, n, QueryOracle(_NoTarget(), ThreatModel.SCORES),  # type: ignore[arg-type]
                        lambda k: ReferenceSignals(refs.logits[:k], refs.trained_on[:k]), seed=0,
                        _target_logits=logits(target_logp))


@pytest.mark.parametrize(("k", "offline_a", "a", "source"), [
    (2, None, 0.5, "default 0.5, not tuned"),
    (4, 0.3, 0.3, "set in the config"),
    (4, None, 1.0, "tuned on reference models"),
])
def test_the_attack_records_how_a_was_chosen(k, offline_a, a, source):
    ref_logp, trained, n = _world("difficulty", 1, k=5)
    attack = RmiaAttack(reference_models=k, mode="offline", offline_a=offline_a)
    attack.run(_view(ref_logp[:4], trained[:4], n, ref_logp[4]))  # a fifth model plays the target
    assert attack.a_ == a and attack.a_source_.startswith(source)
    assert not hasattr(attack, "tuned_a_")


def test_equal_ratios_stay_tied():
    x = np.array([5.0, 6.0, 5.0, 7.0])  # all beat every z; records 0 and 2 have the same ratio
    s = rmia_scores(x, np.array([0.0, 1.0]), 1.0)
    assert s[0] == s[2] < s[1] < s[3]
