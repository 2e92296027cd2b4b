"""Success rates, the privacy risk with its interval, the baseline flag, and AUC with a DeLong interval.

Pure functions on counts and score arrays.

Risk (Giomi et al. 2023, eq. 1): ``risk = (r_ori - r_control) / (1 - r_control)``, the fraction of the
attack's success on ORI that cannot be explained by what it also achieves on real records the generator
never saw. Its range is ``(-inf, 1]``: at most 1 because ``r_ori <= 1``; negative when the attack did
better on CONTROL than on ORI, without a floor.

Interval: ``risk`` increases with ``r_ori`` and decreases with ``r_control`` (its derivative in
``r_control`` is ``(r_ori - 1) / (1 - r_control)^2 <= 0``), so its extremes over the box formed by the two
rates' Wilson intervals sit at opposite corners: ``lower = f(ori_lo, control_hi)``,
``upper = f(ori_hi, control_lo)``. Each Wilson interval is taken at ``1 - alpha/2`` (Bonferroni over the
two rates), so the box, and hence the risk interval, covers the truth with probability at least
``1 - alpha``. Nothing is clipped: the upper end is at most 1 by the formula, and a lower end far below 0
says, truthfully, that the data cannot rule out an attack that does much better on CONTROL.

Undefined risk: when the control already succeeds (:func:`undefined_reason`) the denominator
``1 - r_control`` is too near 0 to estimate — 498 of 500 control successes put it anywhere in about
``[0.001, 0.02]`` — and the ratio swings between large negative values and 1 on a single record. The
synthetic table can then add at most ``1 - control_lo`` of success beyond what the population gives. The
risk is declared undefined when that room is at most ``1 - CONTROL_CEILING`` = 5 % of the targets (the
lower end of the control's Wilson interval, at the confidence the risk is read at, is at least 95 %), when
every control target succeeded, or when there were no trials. 5 % is the smallest excess the report's
levels count (Moderate), so an attack declared undefined could not show a reportable excess in absolute
terms; it is recorded with its reason and never decides a level.

Several attacks of one family read together: :func:`simultaneous_confidence` gives the per-attack
confidence ``1 - (1 - confidence) / k`` at which ``k`` intervals hold jointly with probability at least
``confidence`` (Bonferroni).

>>> r = risk_estimate(success_rate(80, 100), success_rate(20, 100))
>>> round(r.value, 4)
0.75
>>> risk_estimate(success_rate(500, 500), success_rate(498, 500)).value is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from leakpro.metrics.roc import delong
from leakpro.stats.intervals import wilson

CONTROL_CEILING = 0.95


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
    """Risk point estimate and its (conservative, joint) interval; all ``None`` with a reason when undefined."""

    value: float | None
    low: float | None
    high: float | None
    confidence: float
    undefined_reason: str | None = None


def success_rate(successes: int, trials: int, confidence: float = 0.95) -> Rate:
    """A :class:`Rate` with its Wilson score interval."""
    lo, hi = wilson(int(successes), int(trials), confidence)
    return Rate(int(successes), int(trials), lo, hi, confidence)


def simultaneous_confidence(k: int, confidence: float = 0.95) -> float:
    """Per-interval confidence at which ``k`` intervals hold together with probability ``confidence``.

    >>> round(simultaneous_confidence(30), 5)
    0.99833
    """
    if k < 1:
        raise ValueError(f"k: need at least one interval, got {k}")
    return 1.0 - (1.0 - confidence) / k


def _risk_formula(r_ori: float, r_control: float) -> float:
    return (r_ori - r_control) / (1.0 - r_control)


def undefined_reason(control: Rate, confidence: float = 0.95) -> str | None:
    """Why the risk cannot be measured against ``control`` at ``confidence``, or ``None`` when it can.

    Undefined when there were no trials, when every control target succeeded, or when the lower end of the
    control's Wilson interval at ``confidence`` reaches :data:`CONTROL_CEILING`; see the module docstring.
    """
    if control.trials == 0:
        return "no target could be attacked (0 trials), so there is nothing to measure"
    lo, _ = wilson(control.successes, control.trials, confidence)
    if control.successes < control.trials and lo < CONTROL_CEILING:
        return None
    if lo < CONTROL_CEILING:  # every control target succeeded, but there were few of them
        return (
            f"the control set already succeeds on every target ({control.successes}/{control.trials}), so "
            "the risk divides by zero; with so few targets the synthetic table's excess over the population "
            "cannot be measured"
        )
    return (
        f"the control set already succeeds ({control.successes}/{control.trials}; at least {lo:.1%} at "
        f"{confidence:.2%} confidence), so the synthetic table adds nothing measurable beyond what the "
        f"population gives (it could add at most {1.0 - lo:.1%} of the targets)"
    )


def risk_bounds(ori: Rate, control: Rate, confidence: float = 0.95) -> tuple[float, float]:
    """The risk interval at ``confidence``: Wilson bounds of both rates at ``1 - (1 - confidence) / 2``.

    Needs ``control.successes < control.trials`` (else the lower end is unbounded below).
    """
    if not control.successes < control.trials:
        raise ValueError("the risk interval needs at least one failure on CONTROL")
    per_rate = simultaneous_confidence(2, confidence)
    o_lo, o_hi = wilson(ori.successes, ori.trials, per_rate)
    c_lo, c_hi = wilson(control.successes, control.trials, per_rate)
    return _risk_formula(o_lo, c_hi), _risk_formula(o_hi, c_lo)


def risk_estimate(ori: Rate, control: Rate, confidence: float = 0.95) -> Risk:
    """Risk of ``ori`` relative to ``control`` with its interval at ``confidence``, or undefined.

    The two rates' own intervals are ignored: the interval is recomputed by :func:`risk_bounds`.
    """
    reason = undefined_reason(control, confidence)
    if reason is not None:
        return Risk(None, None, None, confidence, reason)
    low, high = risk_bounds(ori, control, confidence)
    return Risk(_risk_formula(ori.value, control.value), low, high, confidence)


def no_better_than_baseline(attack: Rate, baseline: Rate) -> bool:
    """True when the attack on ORI is not clearly better than random guessing.

    "Clearly better" means the attack's Wilson lower bound lies above the baseline's upper bound; when the
    two intervals overlap, the attack cannot be told apart from guessing and the result is flagged.
    """
    return attack.low <= baseline.high


@dataclass(frozen=True)
class Auc:
    """Area under the ROC curve with a DeLong normal-approximation interval (``std_error`` is DeLong's)."""

    value: float
    low: float
    high: float
    n_positive: int
    n_negative: int
    confidence: float
    std_error: float = 0.0


def auc_interval(value: float, std_error: float, confidence: float) -> tuple[float, float]:
    """Normal-approximation interval ``value ± z · std_error`` at ``confidence``, within ``[0, 1]``."""
    z = float(stats.norm.ppf(1.0 - (1.0 - confidence) / 2.0))
    return float(max(0.0, value - z * std_error)), float(min(1.0, value + z * std_error))


def auc_delong(positive: np.ndarray, negative: np.ndarray, confidence: float = 0.95) -> Auc:
    """AUC of scores (higher = more likely positive) with DeLong et al. (1988) variance (:func:`metrics.roc.delong`).

    >>> a = auc_delong(np.array([0.9, 0.8, 0.3]), np.array([0.1, 0.4]))
    >>> round(a.value, 4)
    0.8333
    """
    m, n = len(positive), len(negative)
    if m < 2 or n < 2:
        raise ValueError(f"need at least 2 positives and 2 negatives, got {m} and {n}")
    auc, se = delong(positive, negative)
    low, high = auc_interval(auc, se, confidence)
    return Auc(auc, low, high, m, n, confidence, se)
