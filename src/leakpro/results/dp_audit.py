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
    analysis: Literal["one_run", "one_run_fdp", "one_run_gdp", "one_run_pooled", "one_run_pooled_fdp",
                      "one_run_pooled_gdp", "multi_run"] = Field(
        description="one_run: Steinke et al. 2023 on one run's canaries; one_run_fdp: the f-DP one-run analysis "
        "(Mahloujifar et al. 2024) of the (ε, δ)-DP trade-off curve, no δ paid per canary; one_run_gdp: the same "
        "analysis of the Gaussian curve, μ-GDP rejected, reported as ε(μ, δ); *_pooled*: the same over the canaries "
        "of all runs; multi_run: Clopper–Pearson over runs, one designated canary per run")
    proves: Literal["epsilon_delta", "not_gdp"] = Field(
        default="epsilon_delta", description="epsilon_delta: no (ε', δ)-DP claim with ε' below the bound holds (any "
        "mechanism); not_gdp: the mechanism is not μ-GDP for μ ≤ mu_lower_bound, reported as the ε of that GDP curve "
        "at δ, a lower bound on ε only for a mechanism whose trade-off curve is Gaussian (full-batch DP-SGD)")
    mu_lower_bound: float | None = Field(default=None,
                                         description="GDP analyses only: the largest μ whose μ-GDP is rejected")
    epsilon_lower_bound: float
    guesses: int = Field(description="one-run: guesses made (the best of `tried` sizes); multi-run: runs")
    correct: int = Field(description="one-run: correct guesses; multi-run: true positives")
    tried: int = Field(1, description="guess sizes tested, each at level (1 − confidence) / tried (1: the size was "
                       "chosen on calibration canaries)")
    calibration: int = Field(default=0, description="one-run: canaries used only to choose the guess size (the "
                             "bound is over the others)")
    in_only: bool = Field(default=False, description="one-run: every guess was 'in' (the k highest scores), none 'out'")
    false_positives: int | None = Field(None, description="multi-run only: false positives among the left-out runs")
    claim_violated: bool = Field(description="the lower bound exceeds the claimed ε (epsilon_delta bounds only: a "
                                 "GDP bound above the claim rejects μ-GDP, not the (ε, δ) claim)")


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
