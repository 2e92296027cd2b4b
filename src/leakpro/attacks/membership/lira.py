"""LiRA, the likelihood-ratio attack (Carlini et al., IEEE S&P 2022).

Signal φ = z_y − logsumexp_{j≠y} z_j (log-odds of the true class, from logits in float64).
Online: Gaussians N(μ_in, σ²_in), N(μ_out, σ²_out) fit per record to φ of IN and OUT reference models;
score = log N(φ_θ; μ_in, σ²_in) − log N(φ_θ; μ_out, σ²_out).
Offline: OUT models only; score = log Φ((φ_θ − μ_out)/σ_out) (one-sided, in log space so that the tail
keeps its resolution). Fixed variance (the default) pools one σ over all records, which the paper finds
better with few reference models. Threat model: scores.

Multi-query (the paper's §VI): when the data names query-time augmentations (image flips/shifts), the
signal is a vector φ_a, one per augmentation, modelled with independent Gaussians per augmentation
(diagonal covariance): the online score sums the per-augmentation log-likelihood ratios, the offline
score sums the per-augmentation log Φ. ``augmented_queries: false`` uses the single query only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field
from scipy import stats

from leakpro.attacks.membership.base import AttackParams, MembershipAttack, reference_split, register_attack
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.signals.math import logit_margin


class LiraParams(AttackParams):
    reference_models: int = Field(8, ge=2)
    mode: Literal["online", "offline"] = "online"
    fixed_variance: bool = True
    augmented_queries: bool = Field(True, description="use the data's query augmentations when it names any")


def masked_mean_std(values: np.ndarray, mask: np.ndarray, fixed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and std of ``values`` (k, N) over rows where ``mask``; pooled std when ``fixed``."""
    n = mask.sum(axis=0)
    if (n == 0).any():
        raise ValueError("a candidate has no reference model of the needed kind; add reference models")
    mean = (values * mask).sum(axis=0) / n
    resid2 = ((values - mean) ** 2) * mask
    if fixed or (n < 2).any():
        pooled = np.sqrt(resid2.sum() / max(int(n.sum()) - n.size, 1))
        std = np.full(mean.shape, pooled)
    else:
        std = np.sqrt(resid2.sum(axis=0) / (n - 1))
    return mean, np.maximum(std, 1e-6)


def lira_scores(
    target_phi: np.ndarray, ref_phi: np.ndarray, trained_on: np.ndarray, online: bool, fixed_variance: bool
) -> np.ndarray:
    """Pure LiRA scoring on (N,) target signals and (k, N) reference signals."""
    mu_out, sd_out = masked_mean_std(ref_phi, ~trained_on, fixed_variance)
    if not online:
        return stats.norm.logcdf((target_phi - mu_out) / sd_out)
    mu_in, sd_in = masked_mean_std(ref_phi, trained_on, fixed_variance)
    return stats.norm.logpdf(target_phi, mu_in, sd_in) - stats.norm.logpdf(target_phi, mu_out, sd_out)


def lira_scores_multi(
    target_phi: np.ndarray, ref_phi: np.ndarray, trained_on: np.ndarray, online: bool, fixed_variance: bool
) -> np.ndarray:
    """Multi-query LiRA on (A, N) target signals and (k, A, N) reference signals: independent Gaussians."""
    return np.sum([
        lira_scores(target_phi[a], ref_phi[:, a], trained_on, online, fixed_variance)
        for a in range(target_phi.shape[0])
    ], axis=0)


@register_attack
class LiraAttack(MembershipAttack):
    name = "lira"
    title = "LiRA"
    paper = "Carlini et al., Membership Inference Attacks From First Principles, IEEE S&P 2022"
    threat_models = frozenset({ThreatModel.SCORES})
    Params = LiraParams

    def scores(self, view: AttackerView) -> np.ndarray:
        p: LiraParams = self.params  # type: ignore[assignment]
        c = slice(0, view.n_candidates)
        online = p.mode == "online"
        target_aug = view.target_augmented_logits() if p.augmented_queries else None
        if target_aug is not None:
            ref = view.reference(p.reference_models)
            if ref.augmented is None:
                raise RuntimeError("the data names augmentations but the reference signals have none")
            ref_phi_aug = logit_margin(ref.augmented[:, :, c], view.labels[c])  # (k, A, N)
            target_phi_aug = logit_margin(target_aug[:, c], view.labels[c])  # (A, N)
            return lira_scores_multi(target_phi_aug, ref_phi_aug, ref.trained_on[:, c], online, p.fixed_variance)
        ref_phi, trained_on = reference_split(view, p.reference_models)
        target_phi = logit_margin(view.target_logits()[c], view.labels[c])
        return lira_scores(target_phi, ref_phi[:, c], trained_on[:, c], online, p.fixed_variance)
