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

import math
from dataclasses import dataclass

import numpy as np

from leakpro.metrics.roc import check_scores, roc_curve
from leakpro.stats.intervals import clopper_pearson_one_sided


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
    one_sided = 1 - (1 - confidence) / 2
    rate_lo = clopper_pearson_one_sided(successes, trials, one_sided)[0]
    err_hi = clopper_pearson_one_sided(errors, error_trials, one_sided)[1]
    if rate_lo - delta <= 0 or err_hi <= 0:
        return 0.0
    return max(0.0, math.log((rate_lo - delta) / err_hi))


def _counts(scores: np.ndarray, members: np.ndarray, t: float, direction: str) -> tuple[int, int, int, int]:
    """(successes, trials, errors, error_trials) at threshold t for a direction."""
    flagged = scores >= t
    n_in, n_out = int(members.sum()), int((~members).sum())
    if direction == "members-high":  # TPR over members vs FPR over non-members
        return int((flagged & members).sum()), n_in, int((flagged & ~members).sum()), n_out
    # TNR over non-members vs FNR over members
    return int((~flagged & ~members).sum()), n_out, int((~flagged & members).sum()), n_in


def _best_threshold(scores: np.ndarray, members: np.ndarray, delta: float, confidence: float,
                    max_thresholds: int) -> tuple[float, str]:
    roc = roc_curve(scores, members)
    idx = np.unique(np.linspace(1, roc.thresholds.size - 1, min(max_thresholds, roc.thresholds.size - 1)).astype(int))
    best = (-1.0, float(roc.thresholds[-1]), "members-high")
    for t in roc.thresholds[idx]:
        for direction in ("members-high", "members-low"):
            eps = _bound(*_counts(scores, members, float(t), direction), delta, confidence)
            if eps > best[0]:
                best = (eps, float(t), direction)
    return best[1], best[2]


def epsilon_lower_bound(scores: np.ndarray, members: np.ndarray, *, delta: float = 1e-5, confidence: float = 0.95,
                        seed: int = 0, max_thresholds: int = 400) -> EpsilonBound:
    """ε lower bound at ``confidence`` with the threshold chosen on a held-out half (see the module)."""
    s, m = check_scores(scores, members)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xE95]))
    choose = np.zeros(s.size, dtype=bool)
    choose[rng.permutation(s.size)[: s.size // 2]] = True
    if m[choose].all() or not m[choose].any() or m[~choose].all() or not m[~choose].any():
        raise ValueError("each half needs members and non-members to bound ε")
    t, direction = _best_threshold(s[choose], m[choose], delta, confidence, max_thresholds)
    counts = _counts(s[~choose], m[~choose], t, direction)
    return EpsilonBound(_bound(*counts, delta, confidence), delta, confidence, t, direction, *counts)
