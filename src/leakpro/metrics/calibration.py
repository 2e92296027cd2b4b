"""Known-truth simulations that check LeakPro's intervals and ε bounds cover what they claim.

Binormal scores: members ~ N(μ, 1), non-members ~ N(0, 1), every record an independent draw. The truths are
known in closed form: AUC = Φ(μ/√2), TPR at FPR α = 1 − Φ(z₁₋α − μ), and, since each record's score is a
Gaussian mechanism with sensitivity μ (μ-GDP, Dong, Roth & Su 2022), the true ε at δ solves
δ = Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2) (ε = 0 at μ = 0). ``benchmarks/calibration.py`` prints the tables;
``tests/test_calibration.py`` runs a small version with asserted coverage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats

from leakpro.metrics.epsilon import epsilon_lower_bound
from leakpro.metrics.one_run import one_run_epsilon
from leakpro.metrics.roc import resolves
from leakpro.metrics.summary import membership_metrics

LEVELS = (0.1, 0.01, 0.001)


def true_auc(mu: float) -> float:
    return float(stats.norm.cdf(mu / math.sqrt(2)))


def true_tpr(mu: float, level: float) -> float:
    return float(stats.norm.sf(stats.norm.isf(level) - mu))


def gdp_delta(mu: float, epsilon: float) -> float:
    """δ(ε) of a μ-GDP mechanism."""
    if mu <= 0:
        return 0.0
    return float(stats.norm.cdf(-epsilon / mu + mu / 2) - math.exp(epsilon) * stats.norm.cdf(-epsilon / mu - mu / 2))


def true_epsilon(mu: float, delta: float) -> float:
    """The smallest ε with δ(ε) ≤ ``delta`` for a μ-GDP mechanism."""
    if mu <= 0 or gdp_delta(mu, 0.0) <= delta:
        return 0.0
    hi = 1.0
    while gdp_delta(mu, hi) > delta:
        hi *= 2
    return float(optimize.brentq(lambda e: gdp_delta(mu, e) - delta, 0.0, hi, xtol=1e-9))


@dataclass
class Coverage:
    """Counts over repetitions of one (μ, n) setting."""

    mu: float
    n: int
    reps: int = 0
    auc: int = 0
    tpr: dict[float, int] = field(default_factory=dict)  # level -> repetitions whose interval held the truth
    tpr_above: dict[float, int] = field(default_factory=dict)  # ... whose lower end was above the truth
    epsilon_heuristic_reps: int = 0  # repetitions where the per-attack ε figure was computed
    epsilon_heuristic_violations: int = 0  # ... and was above the true ε
    one_run_violations: int = 0  # the one-run ε bound above the true ε
    epsilon_heuristic_max: float = 0.0
    one_run_max: float = 0.0

    def rate(self, level: float | None = None) -> float:
        return (self.auc if level is None else self.tpr[level]) / max(self.reps, 1)


def binormal_coverage(mu: float, n: int, reps: int, seed: int = 0, delta: float = 1e-5,
                      one_run_guesses: int | None = None, epsilon_heuristic: bool = True) -> Coverage:
    """Repeat a binormal audit ``reps`` times and count how often each interval holds its truth.

    Each repetition also runs a one-run canary audit (Steinke et al. 2023) on the same scores: n canaries each
    included with probability ½ (members ~ N(μ, 1), the rest ~ N(0, 1)), guessing "in" for the highest and "out"
    for the lowest ``one_run_guesses`` / 2 (default n / 10), abstaining on the rest. ``epsilon_heuristic=False``
    skips the per-attack ε figure (its counts then stay at zero repetitions); the draws are the same either way.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, int(mu * 1000), n]))
    cov = Coverage(mu, n, tpr={lv: 0 for lv in LEVELS if resolves(n, lv)},
                   tpr_above={lv: 0 for lv in LEVELS if resolves(n, lv)})
    eps_true = true_epsilon(mu, delta)
    guesses = one_run_guesses or max(2, n // 10)
    members = np.r_[np.ones(n, dtype=bool), np.zeros(n, dtype=bool)]
    one_run_bounds: dict[int, float] = {}  # correct guesses -> bound (the other arguments are fixed here)
    for rep in range(reps):
        scores = np.r_[rng.normal(mu, 1.0, n), rng.normal(0.0, 1.0, n)]
        m = membership_metrics(scores, members)
        cov.reps += 1
        cov.auc += m["auc"].low <= true_auc(mu) <= m["auc"].high
        for op in m["tpr_at_fpr"]:
            if op.fpr_level in cov.tpr:
                truth = true_tpr(mu, op.fpr_level)
                cov.tpr[op.fpr_level] += op.tpr.low <= truth <= op.tpr.high
                cov.tpr_above[op.fpr_level] += op.tpr.low > truth
        if epsilon_heuristic:
            heuristic = epsilon_lower_bound(scores, members, delta=delta, seed=rep).epsilon
            cov.epsilon_heuristic_reps += 1
            cov.epsilon_heuristic_violations += heuristic > eps_true + 1e-9
            cov.epsilon_heuristic_max = max(cov.epsilon_heuristic_max, heuristic)
        included = rng.random(n) < 0.5
        canary = np.where(included, rng.normal(mu, 1.0, n), rng.normal(0.0, 1.0, n))
        order = np.argsort(-canary, kind="stable")
        k = guesses // 2
        guessed_in, guessed_out = order[:k], order[n - k:]
        correct = int(included[guessed_in].sum() + (~included[guessed_out]).sum())
        if correct not in one_run_bounds:
            one_run_bounds[correct] = one_run_epsilon(n, 2 * k, correct, delta)
        bound = one_run_bounds[correct]
        cov.one_run_violations += bound > eps_true + 1e-9
        cov.one_run_max = max(cov.one_run_max, bound)
    return cov
