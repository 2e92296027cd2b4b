"""LiRA, the likelihood-ratio attack (Carlini et al., IEEE S&P 2022).

Signal φ = z_y − logsumexp_{j≠y} z_j (log-odds of the true class, from logits in float64).
Online: Gaussians N(μ_in, σ²_in), N(μ_out, σ²_out) fit per record to φ of IN and OUT reference models;
score = log N(φ_θ; μ_in, σ²_in) − log N(φ_θ; μ_out, σ²_out).
Offline: OUT models only; score = log Φ((φ_θ − μ_out)/σ_out) (one-sided, in log space so that the tail
keeps its resolution). Fixed variance (the default) pools one σ over all records, which the paper finds
better with few reference models. ``fixed_variance: false`` gives each record its own σ; it is refused
below 4 reference models (two IN and two OUT per record), and any record that still has fewer than two
models of a kind uses the pooled σ, counted in ``derived.variance_records_``. Threat model: scores.

Multi-query (the paper's §VI): when the data names query-time augmentations (image flips/shifts), the
signal is a vector φ_a, one per augmentation, modelled with independent Gaussians per augmentation
(diagonal covariance): the online score sums the per-augmentation log-likelihood ratios, the offline
score sums the per-augmentation log Φ. ``augmented_queries: false`` uses the single query only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator
from scipy import stats

from leakpro.attacks.membership.base import AttackParams, MembershipAttack, reference_split, register_attack
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.signals.math import logit_margin

MIN_PER_RECORD_MODELS = 4  # per-record variance: 2 IN and 2 OUT per record, each record IN for half the models


class LiraParams(AttackParams):
    reference_models: int = Field(8, ge=2)
    mode: Literal["online", "offline"] = "online"
    fixed_variance: bool = Field(True, description="one σ pooled over records (false: each record its own σ)")
    augmented_queries: bool = Field(True, description="use the data's query augmentations when it names any")

    @model_validator(mode="after")
    def _per_record_needs_four(self) -> LiraParams:
        if not self.fixed_variance and self.reference_models < MIN_PER_RECORD_MODELS:
            raise ValueError(
                f"fixed_variance: false needs reference_models >= {MIN_PER_RECORD_MODELS}: a record's own variance "
                "needs two IN and two OUT models and each candidate is IN for half of them; with "
                f"{self.reference_models} most records would fall back to the pooled variance. Use "
                f"fixed_variance: true, or reference_models >= {MIN_PER_RECORD_MODELS}"
            )
        return self


@dataclass(frozen=True)
class GaussianFit:
    """Per-record Gaussians fitted to one kind (IN or OUT) of reference signal, and how σ was obtained."""

    mean: np.ndarray  # (N,)
    std: np.ndarray  # (N,)
    own: np.ndarray  # (N,) bool: the record's own σ (False: the pooled σ)
    pooled_from: str  # how the pooled σ was estimated


def _exact_sum(values: np.ndarray) -> float:
    """Correctly rounded sum: the same float for the same values in any order (row order never matters)."""
    return math.fsum(np.ravel(values).tolist())


def fit_gaussians(values: np.ndarray, mask: np.ndarray, fixed: bool) -> GaussianFit:
    """Mean and σ per column of ``values`` (k, N) over the rows where ``mask``.

    ``fixed``: one σ for all records, pooled from the deviations of each record's signals from its own
    mean. Otherwise each record with at least two models of this kind gets its own σ, and only the others
    fall back to the pooled one (``own`` says which). If no record has two, the pooled σ is the standard
    deviation of all these signals across records (the fixed-variance estimate of the paper's code).
    """
    n = mask.sum(axis=0)
    if (n == 0).any():
        raise ValueError("a candidate has no reference model of the needed kind; add reference models")
    mean = np.where(mask, values, 0.0).sum(axis=0) / n
    resid2 = np.where(mask, (values - mean) ** 2, 0.0)
    dof = int(n.sum()) - n.size
    if dof > 0:
        pooled = math.sqrt(_exact_sum(resid2) / dof)
        pooled_from = f"deviations from each record's own mean ({dof} degrees of freedom)"
    else:
        used = values[mask]
        if used.size < 2:
            raise ValueError("LiRA needs at least two reference signals of each kind to estimate a variance")
        centre = _exact_sum(used) / used.size
        pooled = math.sqrt(_exact_sum((used - centre) ** 2) / (used.size - 1))
        pooled_from = (f"all {used.size} signals across records (no record has two models of this kind, so "
                       "the spread between records stands in for the spread between models)")
    own = (n >= 2) if not fixed else np.zeros(n.shape, dtype=bool)
    std = np.where(own, np.sqrt(resid2.sum(axis=0) / np.maximum(n - 1, 1)), pooled)
    return GaussianFit(mean, np.maximum(std, 1e-6), own, pooled_from)


def lira_fit_scores(
    target_phi: np.ndarray, ref_phi: np.ndarray, trained_on: np.ndarray, online: bool, fixed_variance: bool
) -> tuple[np.ndarray, dict[str, GaussianFit]]:
    """LiRA scores on (N,) target signals and (k, N) reference signals, with the fitted Gaussians."""
    out = fit_gaussians(ref_phi, ~trained_on, fixed_variance)
    if not online:
        return stats.norm.logcdf((target_phi - out.mean) / out.std), {"out": out}
    fit_in = fit_gaussians(ref_phi, trained_on, fixed_variance)
    scores = stats.norm.logpdf(target_phi, fit_in.mean, fit_in.std) - stats.norm.logpdf(target_phi, out.mean, out.std)
    return scores, {"in": fit_in, "out": out}


def lira_scores(
    target_phi: np.ndarray, ref_phi: np.ndarray, trained_on: np.ndarray, online: bool, fixed_variance: bool
) -> np.ndarray:
    """Pure LiRA scoring on (N,) target signals and (k, N) reference signals."""
    return lira_fit_scores(target_phi, ref_phi, trained_on, online, fixed_variance)[0]


def lira_scores_multi(
    target_phi: np.ndarray, ref_phi: np.ndarray, trained_on: np.ndarray, online: bool, fixed_variance: bool
) -> np.ndarray:
    """Multi-query LiRA on (A, N) target signals and (k, A, N) reference signals: independent Gaussians."""
    return np.sum([
        lira_scores(target_phi[a], ref_phi[:, a], trained_on, online, fixed_variance)
        for a in range(target_phi.shape[0])
    ], axis=0)


def describe_variance(fits: dict[str, GaussianFit], fixed_variance: bool) -> dict[str, Any]:
    """What was actually done about σ, for ``derived``: per kind, how many records used their own σ."""
    records = {kind: {"own": int(f.own.sum()), "pooled": int((~f.own).sum())} for kind, f in fits.items()}
    if fixed_variance:
        how = "fixed: one σ per kind (IN, OUT) pooled over all records"
    elif all(r["pooled"] == 0 for r in records.values()):
        how = "per record: every record its own σ"
    else:
        how = ("per record where a record has two models of the kind, pooled σ for the rest: "
               + ", ".join(f"{kind.upper()} {r['own']} own / {r['pooled']} pooled" for kind, r in records.items()))
    return {"variance_": how, "variance_records_": records,
            "pooled_variance_from_": {kind: f.pooled_from for kind, f in fits.items()}}


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
            per_query = [lira_fit_scores(target_phi_aug[a], ref_phi_aug[:, a], ref.trained_on[:, c], online,
                                         p.fixed_variance) for a in range(target_phi_aug.shape[0])]
            scores, fits = np.sum([s for s, _ in per_query], axis=0), per_query[0][1]  # same masks: same counts
        else:
            ref_phi, trained_on = reference_split(view, p.reference_models)
            target_phi = logit_margin(view.target_logits()[c], view.labels[c])
            scores, fits = lira_fit_scores(target_phi, ref_phi[:, c], trained_on[:, c], online, p.fixed_variance)
        for key, value in describe_variance(fits, p.fixed_variance).items():
            setattr(self, key, value)
        return scores
