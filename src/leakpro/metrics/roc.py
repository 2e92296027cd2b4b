"""ROC curve, AUC with a DeLong interval, and TPR at FPR levels.

One definition of TPR@FPR is used everywhere in LeakPro: the largest TPR over thresholds whose FPR is
at most the level (thresholds are the distinct scores; a record is called a member when its score is
at least the threshold). Scores are higher = more likely member.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from leakpro.stats.intervals import two_sided_z


@dataclass(frozen=True)
class Roc:
    """Operating points, one per distinct threshold, from strictest (nobody flagged) to loosest."""

    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    positives: int
    negatives: int

    @property
    def tpr(self) -> np.ndarray:
        return self.tp / max(self.positives, 1)

    @property
    def fpr(self) -> np.ndarray:
        return self.fp / max(self.negatives, 1)


def check_scores(scores: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate and return (float64 scores, bool members); both classes must be present, no NaN."""
    s = np.asarray(scores, dtype=np.float64).ravel()
    m = np.asarray(members).astype(bool).ravel()
    if s.shape != m.shape:
        raise ValueError(f"scores and membership labels differ in length: {s.shape[0]} vs {m.shape[0]}")
    if np.isnan(s).any():
        raise ValueError(f"{int(np.isnan(s).sum())} attack scores are NaN; an attack must score every record")
    if m.all() or not m.any():
        raise ValueError("membership labels must contain both members and non-members")
    return s, m


def roc_curve(scores: np.ndarray, members: np.ndarray) -> Roc:
    """Exact ROC over all distinct thresholds (ties grouped), starting at (0, 0)."""
    s, m = check_scores(scores, members)
    order = np.argsort(-s, kind="mergesort")
    s_sorted, m_sorted = s[order], m[order]
    last_of_group = np.r_[np.diff(s_sorted) != 0, True]
    tp = np.cumsum(m_sorted)[last_of_group]
    fp = np.cumsum(~m_sorted)[last_of_group]
    thresholds = s_sorted[last_of_group]
    return Roc(
        thresholds=np.r_[np.inf, thresholds],
        tp=np.r_[0, tp].astype(np.int64),
        fp=np.r_[0, fp].astype(np.int64),
        positives=int(m.sum()),
        negatives=int((~m).sum()),
    )


def auc(scores: np.ndarray, members: np.ndarray) -> float:
    """Area under the ROC (probability a random member outscores a random non-member, ties count ½)."""
    s, m = check_scores(scores, members)
    ranks = stats.rankdata(s)  # average ranks handle ties
    n1, n0 = int(m.sum()), int((~m).sum())
    return float((ranks[m].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def delong_components(positive: np.ndarray, negative: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's structural components, in the given order: for each positive the share of negatives it
    outscores, for each negative the share of positives that do not outscore it (ties count ½)."""
    pos, neg = np.asarray(positive, dtype=np.float64), np.asarray(negative, dtype=np.float64)
    n1, n0 = pos.size, neg.size
    all_ranks = stats.rankdata(np.r_[pos, neg])
    v10 = (all_ranks[:n1] - stats.rankdata(pos)) / n0
    v01 = 1.0 - (all_ranks[n1:] - stats.rankdata(neg)) / n1
    return v10, v01


def delong(positive: np.ndarray, negative: np.ndarray) -> tuple[float, float]:
    """AUC of scores (higher = more likely positive) and its DeLong et al. (1988) standard error; ties count ½.

    The one DeLong of the package: membership metrics, the synthetic-data membership attacks and the paired
    comparison of two attacks (:mod:`leakpro.metrics.compare`) all use its components. Scores are sorted first,
    so the sums do not depend on row order. With fewer than two of either kind the variance is unknown and taken
    as its maximum, ¼.

    >>> a, se = delong(np.array([0.9, 0.8, 0.3]), np.array([0.1, 0.4]))
    >>> round(a, 4)
    0.8333
    """
    v10, v01 = delong_components(np.sort(np.asarray(positive, dtype=np.float64)),
                                 np.sort(np.asarray(negative, dtype=np.float64)))
    n1, n0 = v10.size, v01.size
    a = float(v10.mean())
    var = np.var(v10, ddof=1) / n1 + np.var(v01, ddof=1) / n0 if n1 > 1 and n0 > 1 else 0.25
    return a, float(np.sqrt(max(var, 0.0)))


def delong_paired(first: np.ndarray, second: np.ndarray, members: np.ndarray) -> tuple[float, float]:
    """AUC(first) − AUC(second) for two scores of the *same* records, and its paired DeLong standard error.

    DeLong, DeLong & Clarke-Pearson (1988): the structural components of both scores are taken per record, so
    the covariance between the two AUCs (same members, same non-members) is accounted for.

    >>> m = np.array([True, True, False, False])
    >>> delong_paired(np.array([4.0, 3, 2, 1]), np.array([1.0, 2, 3, 4]), m)[0]
    1.0
    """
    _, m = check_scores(first, members)
    parts = []
    for scores in (first, second):
        s = np.asarray(scores, dtype=np.float64)
        pos, neg = s[m], s[~m]
        all_ranks = stats.rankdata(np.r_[pos, neg])
        parts.append(((all_ranks[: pos.size] - stats.rankdata(pos)) / neg.size,
                      1.0 - (all_ranks[pos.size:] - stats.rankdata(neg)) / pos.size))
    diff = float(parts[0][0].mean() - parts[1][0].mean())
    n1, n0 = int(m.sum()), int((~m).sum())
    if n1 < 2 or n0 < 2:
        return diff, 1.0
    var = sum(float(np.var(a - b, ddof=1)) / n for (a, b), n in
              (((parts[0][0], parts[1][0]), n1), ((parts[0][1], parts[1][1]), n0)))
    return diff, float(np.sqrt(max(var, 0.0)))


def auc_delong_interval(
    scores: np.ndarray, members: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """AUC with its DeLong (1988) normal-approximation interval: (auc, low, high), clipped to [0, 1]."""
    s, m = check_scores(scores, members)
    a, se = delong(s[m], s[~m])
    half = two_sided_z(confidence) * se
    return a, max(0.0, a - half), min(1.0, a + half)


def resolves(negatives: int, level: float) -> bool:
    """Whether ``negatives`` non-members allow one false alarm at FPR ≤ ``level`` (n · level ≥ 1).

    With fewer, "TPR at FPR ≤ level" is the TPR at zero false alarms, which a coin-flipping attacker reaches
    at about 1 / (non-members + 1) — far above the level — so the figure says nothing about the level.
    """
    return negatives * level >= 1


@dataclass(frozen=True)
class OperatingPoint:
    """The point chosen for one FPR level: counts behind TPR and FPR and the threshold."""

    fpr_level: float
    threshold: float
    tp: int
    fp: int
    positives: int
    negatives: int


def tpr_at_fpr(roc: Roc, level: float) -> OperatingPoint:
    """Largest TPR over thresholds with FPR ≤ ``level`` (level 0 means no false positive at all)."""
    ok = roc.fp <= level * roc.negatives + 1e-12
    idx = int(np.flatnonzero(ok)[np.argmax(roc.tp[ok])])
    return OperatingPoint(
        fpr_level=level,
        threshold=float(roc.thresholds[idx]),
        tp=int(roc.tp[idx]),
        fp=int(roc.fp[idx]),
        positives=roc.positives,
        negatives=roc.negatives,
    )


def max_balanced_accuracy(roc: Roc) -> float:
    """Best balanced accuracy ½(TPR + TNR) over thresholds (an optimistic, threshold-on-labels figure)."""
    return float(np.max(0.5 * (roc.tpr + 1.0 - roc.fpr)))


def downsample_roc(roc: Roc, points: int = 300) -> tuple[list[float], list[float]]:
    """Up to ``points`` ROC points spaced evenly in log-FPR (plus the ends), for plots."""
    fpr, tpr = roc.fpr, roc.tpr
    if fpr.size <= points:
        return fpr.tolist(), tpr.tolist()
    grid = np.unique(np.r_[0.0, np.geomspace(max(1.0 / max(roc.negatives, 1), 1e-6), 1.0, points)])
    idx = np.searchsorted(fpr, grid, side="right") - 1
    idx = np.unique(np.clip(idx, 0, fpr.size - 1))
    return fpr[idx].tolist(), tpr[idx].tolist()
