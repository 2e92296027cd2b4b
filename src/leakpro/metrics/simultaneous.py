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


def comparison_confidences(names: list[str], figures: int, confidence: float, primary: str | None,
                           primary_share: float) -> dict[str, float]:
    """Each attack's per-figure confidence: a weighted Bonferroni split of the error 1 − ``confidence``.

    Without a primary attack every figure gets an equal share. With one (chosen without the secret), its
    figures share ``primary_share`` of the error and the other attacks' figures share the rest; the error
    shares sum to 1 − ``confidence`` either way, so all intervals hold together at ``confidence``.
    """
    error = 1.0 - confidence
    if primary is None or len(names) == 1:
        return {n: 1.0 - error / (len(names) * figures) for n in names}
    if primary not in names:
        raise ValueError(f"the primary attack {primary!r} is not among the attacks {names}")
    others = (len(names) - 1) * figures
    return {n: 1.0 - (error * primary_share / figures if n == primary else error * (1 - primary_share) / others)
            for n in names}


def simultaneous_intervals(scores: Mapping[str, np.ndarray], members: np.ndarray,
                           confidence: float = 0.95, primary: str | None = None, primary_share: float = 0.8,
                           primary_note: str = "", evidence: Mapping[str, Mapping[str, float]] | None = None,
                           not_replayed: Mapping[str, str] | None = None) -> SimultaneousIntervals:
    """Family-wise ``confidence`` intervals for AUC and TPR@FPR of every attack in ``scores``.

    ``primary`` names an attack chosen without looking at the secret (:mod:`leakpro.audit.headline`); its
    figures get ``primary_share`` of the error budget, described by ``primary_note``; ``evidence`` holds the
    figures it was chosen on (attack → figure → value on reference models) and ``not_replayed`` the attacks that
    could not take part in the choice, with the reason.
    """
    if not scores:
        raise ValueError("simultaneous intervals need at least one attack's scores")
    if not 0.0 < primary_share < 1.0:
        raise ValueError(f"primary_share must lie in (0, 1), got {primary_share}")
    m = np.asarray(members).astype(bool)
    figures = resolvable_levels(int((~m).sum()))
    comparisons = len(scores) * (1 + len(figures))
    names = sorted(scores)
    levels = comparison_confidences(names, 1 + len(figures), confidence, primary, primary_share)
    out: dict[str, dict[str, Interval]] = {}
    for name in names:
        each = levels[name]
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
    weighted = primary is not None and len(names) > 1
    split = (f"weighted Bonferroni: {primary_share:.0%} of the error to the primary attack {primary!r}, the rest "
             f"shared by the other {len(names) - 1}" if weighted else "Bonferroni")
    return SimultaneousIntervals(
        method=f"{split}, over {len(scores)} attacks × {1 + len(figures)} figures (DeLong for AUC, "
               f"{TPR_METHOD} for TPR)",
        confidence=confidence, comparison_confidence=min(levels.values()), comparisons=comparisons, attacks=out,
        primary=primary, primary_share=primary_share if weighted else None, primary_choice=primary_note or None,
        primary_evidence={a: dict(f) for a, f in (evidence or {}).items()}, not_replayed=dict(not_replayed or {}))
