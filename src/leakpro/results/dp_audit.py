"""Result values of the white-box DP-SGD audit with gradient canaries (``dp_audit`` of results.json)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DPBound(_Frozen):
    """One ε lower bound: what the auditor observed and which analysis turned its guesses into ε."""

    observed: Literal["every_update", "final_model"] = Field(
        description="every_update: the privatised gradient of every step; final_model: final − initial parameters")
    analysis: Literal["one_run", "one_run_pooled", "multi_run"] = Field(
        description="one_run: Steinke et al. 2023 on one run's canaries; one_run_pooled: the same over the canaries "
        "of all runs; multi_run: Clopper–Pearson over runs, one designated canary per run")
    epsilon_lower_bound: float
    guesses: int = Field(description="one-run: guesses made (the best of `tried` sizes); multi-run: runs")
    correct: int = Field(description="one-run: correct guesses; multi-run: true positives")
    tried: int = Field(1, description="guess sizes tried, each at level (1 − confidence) / tried")
    false_positives: int | None = Field(None, description="multi-run only: false positives among the left-out runs")
    claim_violated: bool = Field(description="the lower bound exceeds the claimed ε")


class DPAuditResult(_Frozen):
    """A white-box canary audit of one DP training recipe (the configured one, or a planted bug)."""

    variant: str = Field(description="'target' or a defence name: whose DP recipe was audited")
    mechanism: str = Field(description="'as configured', or the name of a planted bug (a self-test of the audit)")
    claimed_epsilon: float = Field(description="the accountant's ε for the recipe as claimed")
    delta: float
    confidence: float
    canaries: int = Field(description="Dirac gradient canaries per run, each included with probability ½")
    canary_norm: float = Field(description="canary gradient norm in units of the clipping norm C (≥ 1; a correct "
                               "recipe clips it to C)")
    runs: int
    included: int = Field(description="canaries actually included, over all runs (the secret)")
    noise_multiplier: float
    sample_rate: float
    steps: int
    max_grad_norm: float
    bounds: list[DPBound]
    claim_violated: bool = Field(description="some lower bound exceeds the claimed ε")
    assumptions: list[str] = Field(description="what the bounds assume, in words")
    seed: int
