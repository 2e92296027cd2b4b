"""From scores and the secret to an :class:`AttackResult`'s figures (the challenger's job)."""

from __future__ import annotations

from typing import Any

import numpy as np

from leakpro.metrics.roc import (
    auc_delong_interval,
    downsample_roc,
    max_balanced_accuracy,
    roc_curve,
    tpr_at_fpr,
)
from leakpro.metrics.tpr_interval import tpr_at_fpr_interval
from leakpro.results.types import Interval, OperatingPointResult
from leakpro.stats.intervals import clopper_pearson

FPR_LEVELS = (0.1, 0.01, 0.001, 0.0)


def membership_metrics(scores: np.ndarray, members: np.ndarray) -> dict[str, Any]:
    """AUC with interval, TPR@FPR with counts and intervals, balanced accuracy, advantage, ROC.

    The TPR interval at FPR ≤ α (α > 0) covers the true TPR at FPR = α, threshold error included
    (:mod:`leakpro.metrics.tpr_interval`). At α = 0 no such truth is estimable from finite samples: the interval
    is Clopper–Pearson on the members at the observed threshold and says so in its method.
    """
    roc = roc_curve(scores, members)
    value, low, high = auc_delong_interval(scores, members)
    points = []
    for level in FPR_LEVELS:
        op = tpr_at_fpr(roc, level)
        if level > 0:
            ti = tpr_at_fpr_interval(roc, level)
            tlo, thi, tmethod = ti.low, ti.high, ti.method
        else:
            tlo, thi = clopper_pearson(op.tp, op.positives)
            tmethod = "clopper-pearson at the observed threshold"
        flo, fhi = clopper_pearson(op.fp, op.negatives)
        points.append(
            OperatingPointResult(
                fpr_level=level,
                threshold=op.threshold if np.isfinite(op.threshold) else None,
                tpr=Interval(value=op.tp / op.positives, low=tlo, high=thi, method=tmethod),
                fpr=Interval(value=op.fp / op.negatives, low=flo, high=fhi, method="clopper-pearson"),
                true_positives=op.tp,
                false_positives=op.fp,
                members=op.positives,
                non_members=op.negatives,
            )
        )
    fpr, tpr = downsample_roc(roc)
    return {
        "auc": Interval(value=value, low=low, high=high, method="delong"),
        "tpr_at_fpr": points,
        "balanced_accuracy": max_balanced_accuracy(roc),
        "advantage": float(np.max(roc.tpr - roc.fpr)),
        "roc": {"fpr": fpr, "tpr": tpr},
    }
