"""RMIA, robust membership inference (Zarifzadeh et al., ICML 2024).

Pr(x|θ) = softmax probability of the true label (temperature T). Pr(x) averages Pr(x|θ') over reference
models: online over all of them (IN and OUT); offline over OUT models only, corrected as
Pr(x) ≈ ½((1+a)·mean_OUT + (1−a)) with ``a`` tuned on the reference models alone (one reference model
plays the target, the others are its references; never the target's secret; with 2 reference models
none can, ``a`` stays 0.5, and ``derived.a_source_`` says so). LR(x) = Pr(x|θ)/Pr(x), and
likewise for each population record z. score(x) = fraction of z with LR(x)/LR(z) ≥ γ, counted by a
binary search over the sorted LR(z): O((N+Z) log Z) time, O(N+Z) memory, no N×Z matrix. Equal counts
are ordered by LR(x) itself (a smaller increment than one count), so low-FPR thresholds stay usable;
records with equal LR(x) keep equal scores, whatever their row order.
Threat model: scores.

Multi-query: when the data names query-time augmentations (image flips/shifts), Pr(x|θ) is the mean of
the true-label probability over the augmented copies, for the target and every reference model alike
(in log space). ``augmented_queries: false`` uses the single query only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator
from scipy.special import logsumexp

from leakpro.attacks.membership.base import AttackParams, MembershipAttack, register_attack
from leakpro.attacks.membership.population import tie_break
from leakpro.attacks.rmia_offline import A_GRID, DEFAULT_A, OfflineA, log_marginal, tune_offline_a
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.targets.logits import log_softmax

__all__ = ["A_GRID", "DEFAULT_A", "OfflineA", "RmiaAttack", "RmiaParams", "log_marginal", "rmia_scores",
           "tune_offline_a"]


class RmiaParams(AttackParams):
    reference_models: int = Field(8, ge=1)
    mode: Literal["online", "offline"] = "online"
    gamma: float = Field(1.0, gt=0)
    temperature: float = Field(1.0, gt=0)
    offline_a: float | None = Field(
        None, ge=0, le=1, description="None: tuned on reference models (the default 0.5 where fewer than 3 "
        "leave none to tune on; results say which in derived.a_source_)")
    augmented_queries: bool = Field(True, description="use the data's query augmentations when it names any")

    @model_validator(mode="after")
    def _offline_needs_two(self) -> RmiaParams:
        if self.mode == "offline" and self.reference_models < 2:
            raise ValueError("offline RMIA needs reference_models >= 2 (every candidate needs an OUT model)")
        return self


def log_prob_labels(logits: np.ndarray, labels: np.ndarray, temperature: float) -> np.ndarray:
    """log Pr(x|θ) for (…, R, C) logits."""
    lp = log_softmax(logits, temperature)
    idx = np.broadcast_to(labels[..., None], (*lp.shape[:-1], 1))
    return np.take_along_axis(lp, idx, axis=-1)[..., 0]


def log_prob_augmented(logits: np.ndarray, labels: np.ndarray, temperature: float) -> np.ndarray:
    """log of the mean over augmentations of Pr(x_a|θ), for (…, A, R, C) logits → (…, R)."""
    lp = log_prob_labels(logits, labels, temperature)
    return logsumexp(lp, axis=-2) - np.log(lp.shape[-2])


def rmia_scores(log_lr_x: np.ndarray, log_lr_z: np.ndarray, gamma: float) -> np.ndarray:
    """Fraction of z with LR(x)/LR(z) ≥ γ, ties ordered by LR(x). Sort + binary search."""
    z_sorted = np.sort(log_lr_z)
    counts = np.searchsorted(z_sorted, log_lr_x - np.log(gamma), side="right")
    return tie_break(counts / z_sorted.size, log_lr_x)


def rmia_scores_bruteforce(log_lr_x: np.ndarray, log_lr_z: np.ndarray, gamma: float) -> np.ndarray:
    """The obviously-correct pairwise version (N×Z); for tests only."""
    ratio = log_lr_x[:, None] - log_lr_z[None, :]
    return (ratio >= np.log(gamma)).mean(axis=1)


@register_attack
class RmiaAttack(MembershipAttack):
    name = "rmia"
    title = "RMIA"
    paper = "Zarifzadeh et al., Low-Cost High-Power Membership Inference Attacks, ICML 2024"
    threat_models = frozenset({ThreatModel.SCORES})
    Params = RmiaParams

    def scores(self, view: AttackerView) -> np.ndarray:
        p: RmiaParams = self.params  # type: ignore[assignment]
        if view.population_slice.start == len(view.records):
            raise ValueError("RMIA needs population records (data.population) to compare against")
        ref = view.reference(p.reference_models)
        target_aug = view.target_augmented_logits() if p.augmented_queries else None
        if target_aug is not None:
            if ref.augmented is None:
                raise RuntimeError("the data names augmentations but the reference signals have none")
            ref_logp = log_prob_augmented(ref.augmented, view.labels, p.temperature)
            target_logp = log_prob_augmented(target_aug, view.labels, p.temperature)
        else:
            ref_logp = log_prob_labels(ref.logits, view.labels, p.temperature)
            target_logp = log_prob_labels(view.target_logits(), view.labels, p.temperature)
        if p.mode == "online":
            log_px = log_marginal(ref_logp, np.ones_like(ref.trained_on), None)
        else:
            if p.offline_a is None:
                choice = tune_offline_a(ref_logp, ref.trained_on, view.n_candidates)
            else:
                choice = OfflineA(p.offline_a, "set in the config (offline_a)")
            self.a_, self.a_source_ = choice.a, choice.source
            log_px = log_marginal(ref_logp, ~ref.trained_on, choice.a)
        log_lr = target_logp - log_px
        return rmia_scores(log_lr[: view.n_candidates], log_lr[view.population_slice], p.gamma)
