"""LiRA, the likelihood-ratio attack (Carlini et al., IEEE S&P 2022).

Signal φ = z_y − logsumexp_{j≠y} z_j (log-odds of the true class, from logits in float64).
Online: Gaussians N(μ_in, σ²_in), N(μ_out, σ²_out) fit per record to φ of IN and OUT reference models;
score = log N(φ_θ; μ_in, σ²_in) − log N(φ_θ; μ_out, σ²_out).
Offline: OUT models only; score = log Φ((φ_θ − μ_out)/σ_out) (one-sided, in log space so that the tail
keeps its resolution). Fixed variance (the default) pools one σ over all records, which the paper finds
better with few reference models. Threat model: scores.
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
        ref_phi, trained_on = reference_split(view, p.reference_models)
        target_phi = logit_margin(view.target_logits()[c], view.labels[c])
        return lira_scores(target_phi, ref_phi[:, c], trained_on[:, c], p.mode == "online", p.fixed_variance)
