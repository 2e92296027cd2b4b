"""Success rates, the privacy risk with its interval, the baseline flag, and AUC with a DeLong interval.

Pure functions on counts and score arrays.

Risk (Giomi et al. 2023, eq. 1): ``risk = (r_ori - r_control) / (1 - r_control)``, the fraction of the
attack's success on ORI that cannot be explained by what it also achieves on real records the generator
never saw. Interval: ``risk`` increases with ``r_ori`` and decreases with ``r_control`` (its derivative in
``r_control`` is ``(r_ori - 1) / (1 - r_control)^2 <= 0``), so the extremes over the box formed by the two
rates' Wilson intervals sit at opposite corners: ``lower = f(ori_lo, control_hi)``,
``upper = f(ori_hi, control_lo)``. Each Wilson interval is taken at ``1 - alpha/2`` (Bonferroni), so the
box, and hence the risk interval, covers the truth with probability at least ``1 - alpha``. The interval
is clipped to ``[-1, 1]``; negative values mean the attack did better on CONTROL than on ORI.

>>> r = risk_estimate(success_rate(80, 100), success_rate(20, 100))
>>> round(r.value, 4)
0.75
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from leakpro.stats.intervals import wilson


@dataclass(frozen=True)
class Rate:
    """Successes out of trials, with a Wilson interval at ``confidence``."""

    successes: int
    trials: int
    low: float
    high: float
    confidence: float

    @property
    def value(self) -> float:
        """The point estimate (0 when there were no trials)."""
        return self.successes / self.trials if self.trials else 0.0


@dataclass(frozen=True)
class Risk:
    """Risk point estimate and its (conservative, joint) interval."""

    value: float
    low: float
    high: float
    confidence: float


def success_rate(successes: int, trials: int, confidence: float = 0.95) -> Rate:
    """A :class:`Rate` with its Wilson score interval."""
    lo, hi = wilson(int(successes), int(trials), confidence)
    return Rate(int(successes), int(trials), lo, hi, confidence)


def _risk_formula(r_ori: float, r_control: float) -> float:
    if r_control >= 1.0:
        return 0.0 if r_ori >= 1.0 else -1.0
    return (r_ori - r_control) / (1.0 - r_control)


def risk_estimate(ori: Rate, control: Rate, confidence: float = 0.95) -> Risk:
    """Risk of ``ori`` relative to ``control``; interval from Bonferroni-corrected Wilson bounds.

    The two rates' own intervals are ignored: they are recomputed at ``1 - (1 - confidence) / 2``.
    """
    per_rate = 1.0 - (1.0 - confidence) / 2.0
    o_lo, o_hi = wilson(ori.successes, ori.trials, per_rate)
    c_lo, c_hi = wilson(control.successes, control.trials, per_rate)
    value = _risk_formula(ori.value, control.value)
    low = _risk_formula(o_lo, c_hi)
    high = _risk_formula(o_hi, c_lo)
    clip = lambda v: float(min(1.0, max(-1.0, v)))  # noqa: E731
    return Risk(clip(value), clip(low), clip(high), confidence)


def no_better_than_baseline(attack: Rate, baseline: Rate) -> bool:
    """True when the attack on ORI is not clearly better than random guessing.

    "Clearly better" means the attack's Wilson lower bound lies above the baseline's upper bound; when the
    two intervals overlap, the attack cannot be told apart from guessing and the result is flagged.
    """
    return attack.low <= baseline.high


@dataclass(frozen=True)
class Auc:
    """Area under the ROC curve with a DeLong normal-approximation interval."""

    value: float
    low: float
    high: float
    n_positive: int
    n_negative: int
    confidence: float


def _midranks(x: np.ndarray) -> np.ndarray:
    return np.asarray(stats.rankdata(x, method="average"), dtype=np.float64)


def auc_delong(positive: np.ndarray, negative: np.ndarray, confidence: float = 0.95) -> Auc:
    """AUC of scores (higher = more likely positive) with DeLong et al. (1988) variance; ties count 1/2.

    >>> a = auc_delong(np.array([0.9, 0.8, 0.3]), np.array([0.1, 0.4]))
    >>> round(a.value, 4)
    0.8333
    """
    m, n = len(positive), len(negative)
    if m < 2 or n < 2:
        raise ValueError(f"need at least 2 positives and 2 negatives, got {m} and {n}")
    combined = _midranks(np.concatenate([positive, negative]))
    tx, ty = _midranks(positive), _midranks(negative)
    auc = (combined[:m].sum() - m * (m + 1) / 2.0) / (m * n)
    v10 = (combined[:m] - tx) / n
    v01 = 1.0 - (combined[m:] - ty) / m
    var = float(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n)
    z = float(stats.norm.ppf(1.0 - (1.0 - confidence) / 2.0))
    half = z * math.sqrt(max(var, 0.0))
    return Auc(float(auc), float(max(0.0, auc - half)), float(min(1.0, auc + half)), m, n, confidence)
