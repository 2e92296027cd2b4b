"""Compare two attacks' AUCs on the same records: the paired DeLong test (DeLong et al., Biometrics 1988).

Two attacks scored on the same candidates have correlated AUC estimates, so comparing their two intervals
side by side is needlessly blunt (and overlapping intervals do not mean "no difference"). DeLong's
structural components give the variance of the *difference* of the two AUCs, covariance included: for each
member i and attack s, V10_s(i) = share of non-members it outscores (ties ½); for each non-member j,
V01_s(j) = share of members that outscore it (ties ½). Then AUC_s is the mean of V10_s, and
Var(AUC_a − AUC_b) = Var(V10_a − V10_b)/n₁ + Var(V01_a − V01_b)/n₀.

Ties are handled as ties (mid-ranks), so a two-valued score such as the gap attack's is compared correctly.

>>> import numpy as np
>>> m = np.array([1, 1, 1, 0, 0, 0], dtype=bool)
>>> d = paired_auc_difference(np.array([3., 2, 1, 0, 1, 0]), np.array([1., 1, 0, 0, 1, 0]), m)
>>> round(d.difference, 4)  # (8.5 − 6) / 9 pairs
0.2778
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leakpro.metrics.roc import check_scores, delong_components
from leakpro.stats.intervals import two_sided_z


@dataclass(frozen=True)
class AucDifference:
    """AUC_a − AUC_b with its two-sided interval and the two AUCs."""

    difference: float
    low: float
    high: float
    auc_a: float
    auc_b: float
    confidence: float


def paired_auc_difference(scores_a: np.ndarray, scores_b: np.ndarray, members: np.ndarray,
                          confidence: float = 0.95) -> AucDifference:
    """AUC(a) − AUC(b) on the same records, with the paired DeLong normal-approximation interval."""
    a, m = check_scores(scores_a, members)
    b, _ = check_scores(scores_b, members)
    if a.shape != b.shape:
        raise ValueError(f"the two attacks scored {a.size} and {b.size} records; they must score the same ones")
    order = np.lexsort((b, a, m))  # a canonical order: the float sums below do not depend on row order
    a, b, m = a[order], b[order], m[order]
    v10a, v01a = delong_components(a[m], a[~m])
    v10b, v01b = delong_components(b[m], b[~m])
    n1, n0 = v10a.size, v01a.size
    diff = float(v10a.mean() - v10b.mean())
    var = (np.var(v10a - v10b, ddof=1) / n1 if n1 > 1 else 0.25) + (np.var(v01a - v01b, ddof=1) / n0 if n0 > 1
                                                                    else 0.25)
    half = two_sided_z(confidence) * float(np.sqrt(max(var, 0.0)))
    return AucDifference(difference=diff, low=max(-1.0, diff - half), high=min(1.0, diff + half),
                         auc_a=float(v10a.mean()), auc_b=float(v10b.mean()), confidence=confidence)
