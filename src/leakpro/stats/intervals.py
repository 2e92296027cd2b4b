"""Confidence intervals for binomial proportions.

Pure functions on counts. ``clopper_pearson`` is the exact (conservative) interval used for TPR/FPR at a
threshold; ``wilson`` is the score interval used for success rates of the synthetic-data attacks.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special, stats


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided Clopper–Pearson interval for ``successes`` out of ``trials``.

    >>> lo, hi = clopper_pearson(0, 10)
    >>> lo, round(hi, 4)
    (0.0, 0.3085)
    """
    _check(successes, trials, confidence)
    if trials == 0:
        return (0.0, 1.0)
    alpha = 1.0 - confidence
    lo = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, successes, trials - successes + 1))
    hi = 1.0 if successes == trials else float(stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    return (lo, hi)


def clopper_pearson_one_sided(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """One-sided Clopper–Pearson bounds: (lower bound, upper bound), each at ``confidence``."""
    _check(successes, trials, confidence)
    if trials == 0:
        return (0.0, 1.0)
    alpha = 1.0 - confidence
    lo = 0.0 if successes == 0 else float(stats.beta.ppf(alpha, successes, trials - successes + 1))
    hi = 1.0 if successes == trials else float(stats.beta.ppf(1 - alpha, successes + 1, trials - successes))
    return (lo, hi)


def clopper_pearson_one_sided_many(successes: np.ndarray, trials: np.ndarray,
                                   confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """:func:`clopper_pearson_one_sided` over arrays of counts (same values, one vectorised call)."""
    x = np.asarray(successes, dtype=np.float64)
    n = np.broadcast_to(np.asarray(trials, dtype=np.float64), x.shape)
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= successes <= trials for every count")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    alpha = 1.0 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, special.betaincinv(np.maximum(x, 1), n - x + 1, alpha), 0.0)
        hi = np.where(x < n, special.betaincinv(x + 1, np.maximum(n - x, 1), 1 - alpha), 1.0)
    empty = n == 0
    return np.where(empty, 0.0, lo), np.where(empty, 1.0, hi)


@functools.lru_cache(maxsize=1024)
def two_sided_z(confidence: float) -> float:
    """The normal quantile at ``1 - (1 - confidence) / 2`` (remembered: a single ``norm.ppf`` call costs more
    than the rest of a Wilson interval, and audits ask for a handful of confidences many times).

    >>> round(two_sided_z(0.95), 4)
    1.96
    """
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def wilson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    >>> [round(v, 4) for v in wilson(5, 10)]
    [0.2366, 0.7634]
    """
    _check(successes, trials, confidence)
    if trials == 0:
        return (0.0, 1.0)
    z = two_sided_z(confidence)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _check(successes: int, trials: int, confidence: float) -> None:
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"need 0 <= successes <= trials, got successes={successes}, trials={trials}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
