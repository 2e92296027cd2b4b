"""Canary exposure (Carlini et al. 2019, "The Secret Sharer"), pure maths.

For a canary whose secret s is drawn uniformly from a space R, exposure = log₂|R| − log₂ rank(s), the rank of s
among all of R by the model's log-perplexity (rank 1 = the model finds s the likeliest secret). |R| is too large to
enumerate (10⁶ for six digits), so the rank is estimated from the log-perplexities of n random secrets:

- ``empirical``: rank/|R| ≈ (1 + #{random secrets at least as likely}) / (n + 1); at most log₂(n + 1) bits;
- ``extrapolated`` (the paper's §4.3): a skew-normal fitted to the random secrets' log-perplexities, and
  exposure = −log₂ F(log-perplexity of s), capped at log₂|R|.

A canary the model never saw has exposure about 1/ln 2 ≈ 1.44 bits on average (−log₂ of a uniform rank).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> random = rng.normal(10.0, 1.0, 5000)          # log-perplexities of random secrets
>>> round(empirical_exposure(5.0, random), 1)      # far likelier than every sample: capped at log2(5001)
12.3
>>> extrapolated_exposure(5.0, random, log2_space=20.0) > 15
True
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

UNSEEN_MEAN_EXPOSURE = 1.0 / math.log(2.0)


def empirical_exposure(canary_logppl: float, random_logppl: np.ndarray) -> float:
    """−log₂ of the estimated rank fraction, from random secrets' log-perplexities (lower = likelier)."""
    r = np.asarray(random_logppl, dtype=np.float64)
    at_least_as_likely = int(np.sum(r <= canary_logppl))
    return float(-math.log2((1 + at_least_as_likely) / (r.size + 1)))


def extrapolated_exposure(canary_logppl: float, random_logppl: np.ndarray, log2_space: float) -> float:
    """−log₂ F(canary) under a skew-normal fitted to the random secrets' log-perplexities, at most log₂|R|."""
    r = np.asarray(random_logppl, dtype=np.float64)
    a, loc, scale = stats.skewnorm.fit(r)
    log_cdf = float(stats.skewnorm.logcdf(canary_logppl, a, loc, scale))
    return float(min(max(-log_cdf / math.log(2.0), 0.0), log2_space))


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean with a Student-t interval over independent canaries (one value: the interval is that value)."""
    v = np.asarray(values, dtype=np.float64)
    mean = float(v.mean())
    if v.size < 2 or float(v.std(ddof=1)) == 0.0:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + confidence / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return mean, mean - half, mean + half
