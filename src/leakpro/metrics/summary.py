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
from leakpro.results.types import Interval, OperatingPointResult
from leakpro.stats.intervals import clopper_pearson

FPR_LEVELS = (0.1, 0.01, 0.001, 0.0)


def membership_metrics(scores: np.ndarray, members: np.ndarray) -> dict[str, Any]:
    """AUC with interval, TPR@FPR with counts and intervals, balanced accuracy, advantage, ROC."""
    roc = roc_curve(scores, members)
    value, low, high = auc_delong_interval(scores, members)
    points = []
    for level in FPR_LEVELS:
        op = tpr_at_fpr(roc, level)
        tlo, thi = clopper_pearson(op.tp, op.positives)
        flo, fhi = clopper_pearson(op.fp, op.negatives)
        points.append(
            OperatingPointResult(
                fpr_level=level,
                threshold=op.threshold if np.isfinite(op.threshold) else None,
                tpr=Interval(value=op.tp / op.positives, low=tlo, high=thi, method="clopper-pearson"),
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
