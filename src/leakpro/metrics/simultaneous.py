"""Intervals that stay valid after picking the strongest of k attacks (Bonferroni over attacks × figures).

A headline that reports "the strongest attack" chooses it by looking at the secret, so the chosen attack's own
95 % interval is too optimistic: on a model that leaks nothing, the best of ten attacks' point estimates sits
above chance most of the time. Here every figure a risk level reads (AUC, TPR at the resolvable FPR levels) of
every attack gets an interval at confidence 1 − (1 − c)/m, m = the number of such figures over all attacks
(Bonferroni), so that all of them hold together with probability at least c. Any selection among them — the
strongest attack, the worst figure — is then covered, and a level read at the lower ends is exceeded by chance
with probability at most (1 − c)/2 on a model that does not leak.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> members = np.r_[np.ones(500, bool), np.zeros(500, bool)]
>>> s = simultaneous_intervals({"a": rng.normal(size=1000), "b": rng.normal(size=1000)}, members)
>>> s.comparisons, s.attacks["a"]["auc"].low < 0.5 < s.attacks["a"]["auc"].high
(4, True)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from leakpro.metrics.roc import auc_delong_interval, resolves, roc_curve, tpr_at_fpr
from leakpro.metrics.tpr_interval import METHOD as TPR_METHOD
from leakpro.metrics.tpr_interval import tpr_at_fpr_interval
from leakpro.results.types import Interval, SimultaneousIntervals

LEVEL_FIGURES = {"tpr@1%": 0.01, "tpr@0.1%": 0.001}  # the TPR figures risk levels read, with their FPR levels


def resolvable_levels(negatives: int) -> dict[str, float]:
    """The TPR figures whose FPR level allows at least one false alarm among ``negatives`` non-members."""
    return {k: a for k, a in LEVEL_FIGURES.items() if resolves(negatives, a)}


def simultaneous_intervals(scores: Mapping[str, np.ndarray], members: np.ndarray,
                           confidence: float = 0.95) -> SimultaneousIntervals:
    """Family-wise ``confidence`` intervals for AUC and TPR@FPR of every attack in ``scores``."""
    if not scores:
        raise ValueError("simultaneous intervals need at least one attack's scores")
    m = np.asarray(members).astype(bool)
    figures = resolvable_levels(int((~m).sum()))
    comparisons = len(scores) * (1 + len(figures))
    each = 1.0 - (1.0 - confidence) / comparisons
    out: dict[str, dict[str, Interval]] = {}
    for name in sorted(scores):
        s = np.asarray(scores[name], dtype=np.float64)
        value, low, high = auc_delong_interval(s, m, confidence=each)
        row = {"auc": Interval(value=value, low=low, high=high, confidence=each, method="delong")}
        roc = roc_curve(s, m)
        for key, level in figures.items():
            op = tpr_at_fpr(roc, level)
            ti = tpr_at_fpr_interval(roc, level, confidence=each)
            row[key] = Interval(value=op.tp / op.positives, low=ti.low, high=ti.high, confidence=each,
                                method=ti.method)
        out[name] = row
    return SimultaneousIntervals(
        method=f"Bonferroni over {len(scores)} attacks × {1 + len(figures)} figures (DeLong for AUC, "
               f"{TPR_METHOD} for TPR)",
        confidence=confidence, comparison_confidence=each, comparisons=comparisons, attacks=out)
