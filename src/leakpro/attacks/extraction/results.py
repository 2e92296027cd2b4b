"""Typed, frozen results of model extraction and of membership inference through a stolen surrogate."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from leakpro.results.types import Interval


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CurvePoint(_Frozen):
    """The surrogate trained on the first ``queries`` answers, judged on held-out inputs."""

    queries: int = Field(description="records queried from the target to train this surrogate")
    fidelity: Interval = Field(description="agreement of the surrogate's labels with the target's (Wilson)")
    accuracy: Interval = Field(description="surrogate accuracy on the true labels (Wilson)")
    agreements: int
    correct: int
    n_eval: int


class ExtractionResult(_Frozen):
    """Fidelity and accuracy against the number of queries, with the baselines needed to read them."""

    attack: str
    title: str
    paper: str
    threat_model: str = Field(description="what the API returned to the attacker: scores or labels")
    params: dict[str, Any]
    derived: dict[str, Any] = Field(default_factory=dict, description="values the attack measured itself")
    seed: int
    queries: int = Field(description="records the attacker queried (the extraction budget spent)")
    evaluation_queries: int = Field(description="records the auditor queried to measure fidelity (not the attacker's)")
    curve: list[CurvePoint]
    target_accuracy: Interval = Field(description="the target's own accuracy on the evaluation inputs")
    baseline_fidelity: float = Field(description="fidelity of always answering the target's most common label")
    surrogate: str = Field(description="description of the final surrogate")
    runtime_s: float

    @property
    def final(self) -> CurvePoint:
        return self.curve[-1]


class MembershipComparison(_Frozen):
    """One membership attack's AUC, run with the API or with the stolen surrogate."""

    attack: str
    access: str = Field(description="'api-labels': the label-only API; 'surrogate-scores': the stolen copy")
    auc: Interval
    tpr_at_1pct_fpr: float
    queries: int = Field(description="records queried from the real API by this attack")


class SurrogateMembershipResult(_Frozen):
    """How much stronger membership inference gets when a stolen surrogate stands in for score access."""

    label_only: list[MembershipComparison]
    with_surrogate: list[MembershipComparison]
    auc_gain: float = Field(description="best surrogate AUC minus best label-only AUC (negative: no gain)")
    summary: str
