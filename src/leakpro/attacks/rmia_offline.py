"""Offline RMIA's marginal and its ``a`` (Zarifzadeh et al., ICML 2024), shared by the membership and the
language-model families (which do not import one another).

Offline, with OUT reference models only, Pr(x) ≈ ½((1+a)·mean_OUT Pr(x|θ') + (1−a)): the mean over models that
never saw x underestimates Pr(x) for a record that would have been IN, and ``a`` in [0, 1] says by how much.
``a`` is tuned on the reference models alone: up to ``max_pseudo`` of them take turns as the target, the others
as its references, and their own IN/OUT masks score each grid value (never the audited target's secret).

With γ = 1 RMIA's pairwise count score orders records exactly as LR(x) does (ties broken by LR(x); equal LR(x),
equal score), so its AUC is the AUC of log LR(x), which is what the tuning computes: no population signals needed.

>>> ref = np.log(np.array([[0.2, 0.9], [0.4, 0.7]]))
>>> [round(float(v), 3) for v in np.exp(log_marginal(ref, np.ones((2, 2), bool), None))]
[0.3, 0.8]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from leakpro.metrics.roc import auc

A_GRID = np.round(np.linspace(0.0, 1.0, 11), 2)
DEFAULT_A = 0.5


def log_marginal(ref_logp: np.ndarray, use: np.ndarray, a: float | None) -> np.ndarray:
    """log Pr(x): mean of Pr(x|θ') over models where ``use``; with ``a``, the offline correction."""
    n = use.sum(axis=0)
    if (n == 0).any():
        raise ValueError("a record has no usable reference model; add reference models")
    masked = np.where(use, ref_logp, -np.inf)
    log_mean = logsumexp(masked, axis=0) - np.log(n)
    if a is None:
        return log_mean
    return np.log(0.5 * ((1 + a) * np.exp(log_mean) + (1 - a)))


@dataclass(frozen=True)
class OfflineA:
    """The offline ``a`` used and where it came from (recorded in results)."""

    a: float
    source: str
    pseudo_targets: tuple[int, ...] = ()  # reference models that played the target while tuning
    auc: float | None = None  # their mean AUC at ``a`` (None: not tuned)


def tune_offline_a(ref_logp: np.ndarray, trained_on: np.ndarray, n_cand: int, max_pseudo: int = 4) -> OfflineA:
    """Pick ``a`` on the grid maximising the mean AUC on the first ``n_cand`` records when reference models play
    the target. A reference model can play the target only if every record has an OUT model among the others:
    with 2 reference models (complementary halves) none can, and ``a`` stays at the default 0.5, saying so."""
    k = ref_logp.shape[0]
    usable: list[int] = []
    for j in range(k):
        others = np.delete(np.arange(k), j)
        if len(usable) < max_pseudo and (~trained_on[others]).any(axis=0).all():
            usable.append(j)
    if not usable:
        return OfflineA(
            DEFAULT_A,
            f"default {DEFAULT_A}, not tuned: with {k} reference model(s) none can play the "
            "target (some record would have no OUT model among the others); set offline_a, or use "
            "3 or more reference models so that a is tuned",
        )
    best, best_auc = DEFAULT_A, -1.0
    for a in A_GRID:
        aucs = []
        for j in usable:
            others = np.delete(np.arange(k), j)
            log_lr = ref_logp[j] - log_marginal(ref_logp[others], ~trained_on[others], float(a))
            aucs.append(auc(log_lr[:n_cand], trained_on[j, :n_cand]))
        if float(np.mean(aucs)) > best_auc:
            best, best_auc = float(a), float(np.mean(aucs))
    return OfflineA(
        best,
        f"tuned on reference models: grid {A_GRID[0]:g}..{A_GRID[-1]:g}, reference models "
        f"{usable} playing the target, mean AUC {best_auc:.4f}",
        tuple(usable),
        best_auc,
    )
