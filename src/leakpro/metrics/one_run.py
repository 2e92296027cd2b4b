"""One-run privacy auditing (Steinke, Nasr & Jagielski, NeurIPS 2023): the ε bound from canary guesses.

m canaries are each included in training independently with probability ½; after one training run the
auditor guesses "in" for some, "out" for others and abstains on the rest (r guesses, v of them correct).
Under (ε, δ)-DP the number of correct guesses is dominated as in the paper's Theorem (ε, δ form):

    P[W ≥ v] ≤ β + δ·α,   β = P[Binomial(r, q) ≥ v],   q = e^ε / (1 + e^ε),
    α = max over i in 1..v of (2m / i)·P[v − i ≤ Binomial(r, q) < v].

The ε lower bound at confidence 1 − a is the ε at which this p-value reaches a: every smaller ε is
rejected. With δ = 0 it is the plain binomial test.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats


def one_run_p_value(m: int, r: int, v: int, epsilon: float, delta: float) -> float:
    """Upper bound on P[≥ v correct of r guesses over m canaries] for an (ε, δ)-DP training run."""
    if not 0 <= v <= r <= m:
        raise ValueError(f"need 0 <= v <= r <= m, got v={v}, r={r}, m={m}")
    if epsilon < 0 or not 0 <= delta <= 1:
        raise ValueError("need epsilon >= 0 and 0 <= delta <= 1")
    q = 1.0 / (1.0 + math.exp(-epsilon))
    beta = float(stats.binom.sf(v - 1, r, q))
    if delta == 0 or v == 0:
        return min(1.0, beta)
    i = np.arange(1, v + 1)
    window = stats.binom.cdf(v - 1, r, q) - stats.binom.cdf(v - i - 1, r, q)  # P[v−i ≤ B < v]
    alpha = float(np.max(2 * m * window / i))
    return min(1.0, beta + delta * alpha)


def one_run_epsilon(m: int, r: int, v: int, delta: float, confidence: float = 0.95, xtol: float = 1e-6) -> float:
    """Largest ε rejected at ``confidence``: the empirical lower bound (0 when none is rejected)."""
    level = 1 - confidence

    def gap(eps: float) -> float:
        return one_run_p_value(m, r, v, eps, delta) - level

    if gap(0.0) >= 0:
        return 0.0
    hi = 1.0
    while gap(hi) < 0 and hi < 100:
        hi *= 2
    return float(optimize.brentq(gap, 0.0, hi, xtol=xtol))
