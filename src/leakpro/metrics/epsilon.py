"""Empirical lower bounds on differential-privacy ε from membership-attack scores.

(ε, δ)-DP implies TPR ≤ e^ε·FPR + δ and TNR ≤ e^ε·FNR + δ at every threshold, so for any threshold
ε ≥ ln((TPR − δ)/FPR) (and the mirror with TNR/FNR). With finite samples the rates are replaced by one-
sided Clopper–Pearson bounds: the lower bound of the numerator rate and the upper bound of the
denominator rate, each at confidence 1 − α/2 (so the pair holds at 1 − α).

Choosing the best threshold on the same scores would overstate ε. Here the threshold (and the direction)
is chosen on a random half of the records and the bound is computed on the other half: the held-out
correction. The ceiling reachable with n held-out non-members is finite, about ln(n/ln(2/α)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leakpro.metrics.roc import check_scores, roc_curve
from leakpro.stats.intervals import clopper_pearson_one_sided_many


@dataclass(frozen=True)
class EpsilonBound:
    epsilon: float  # the lower bound (0 when the data support no positive bound)
    delta: float
    confidence: float
    threshold: float
    direction: str  # "members-high" (TPR vs FPR) or "members-low" (TNR vs FNR)
    successes: int  # held-out counts behind the bound: numerator successes / trials, denominator errors / trials
    trials: int
    errors: int
    error_trials: int


def _bound(successes: int, trials: int, errors: int, error_trials: int, delta: float, confidence: float) -> float:
    """The bound for one set of counts (:func:`_bounds` on a single threshold)."""
    one = [np.array([c]) for c in (successes, trials, errors, error_trials)]
    return float(_bounds(one[0], one[1], one[2], one[3], delta, confidence)[0])


def _counts(scores: np.ndarray, members: np.ndarray, t: float, direction: str) -> tuple[int, int, int, int]:
    """(successes, trials, errors, error_trials) at threshold t for a direction."""
    flagged = scores >= t
    n_in, n_out = int(members.sum()), int((~members).sum())
    if direction == "members-high":  # TPR over members vs FPR over non-members
        return int((flagged & members).sum()), n_in, int((flagged & ~members).sum()), n_out
    # TNR over non-members vs FNR over members
    return int((~flagged & ~members).sum()), n_out, int((~flagged & members).sum()), n_in


def _bounds(successes: np.ndarray, trials: np.ndarray, errors: np.ndarray, error_trials: np.ndarray, delta: float,
            confidence: float) -> np.ndarray:
    """:func:`_bound` over arrays of counts."""
    one_sided = 1 - (1 - confidence) / 2
    rate_lo = clopper_pearson_one_sided_many(successes, trials, one_sided)[0]
    err_hi = clopper_pearson_one_sided_many(errors, error_trials, one_sided)[1]
    ok = (rate_lo - delta > 0) & (err_hi > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        eps = np.where(ok, np.log(np.where(ok, rate_lo - delta, 1.0) / np.where(ok, err_hi, 1.0)), 0.0)
    return np.maximum(eps, 0.0)


def _best_threshold(scores: np.ndarray, members: np.ndarray, delta: float, confidence: float,
                    max_thresholds: int) -> tuple[float, str]:
    """The (threshold, direction) with the largest bound on these records (first of equals, thresholds in ROC
    order, members-high before members-low)."""
    roc = roc_curve(scores, members)
    idx = np.unique(np.linspace(1, roc.thresholds.size - 1, min(max_thresholds, roc.thresholds.size - 1)).astype(int))
    tp, fp = roc.tp[idx], roc.fp[idx]  # flagged = score >= threshold
    n_in, n_out = roc.positives, roc.negatives
    high = _bounds(tp, np.full_like(tp, n_in), fp, np.full_like(fp, n_out), delta, confidence)
    low = _bounds(n_out - fp, np.full_like(fp, n_out), n_in - tp, np.full_like(tp, n_in), delta, confidence)
    best = int(np.argmax(np.column_stack([high, low]).ravel()))
    return float(roc.thresholds[idx][best // 2]), ("members-high", "members-low")[best % 2]


def epsilon_lower_bound(scores: np.ndarray, members: np.ndarray, *, delta: float = 1e-5, confidence: float = 0.95,
                        seed: int = 0, max_thresholds: int = 400) -> EpsilonBound:
    """ε lower bound at ``confidence`` with the threshold chosen on a held-out half (see the module)."""
    s, m = check_scores(scores, members)
    canonical = np.lexsort((m, s))  # the halves are drawn over records sorted by (score, membership): row order
    s, m = s[canonical], m[canonical]  # cannot change the figure (equal records are interchangeable)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xE95]))
    choose = np.zeros(s.size, dtype=bool)
    choose[rng.permutation(s.size)[: s.size // 2]] = True
    if m[choose].all() or not m[choose].any() or m[~choose].all() or not m[~choose].any():
        raise ValueError("each half needs members and non-members to bound ε")
    t, direction = _best_threshold(s[choose], m[choose], delta, confidence, max_thresholds)
    counts = _counts(s[~choose], m[~choose], t, direction)
    return EpsilonBound(_bound(*counts, delta, confidence), delta, confidence, t, direction, *counts)
