"""Result values of the language-model membership audit (``llm_results.json``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from leakpro.results.types import Interval, OperatingPointResult, SimultaneousIntervals


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LMAttackResult(_Frozen):
    attack: str
    title: str
    paper: str
    params: dict[str, float | int | str]
    auc: Interval
    tpr_at_fpr: list[OperatingPointResult]
    balanced_accuracy: float
    advantage: float
    runtime_s: float


class LMTargetResult(_Frozen):
    """Every attack on one model (the audited target, or the null control trained without the candidates)."""

    name: str
    role: Literal["target", "null"]
    description: str
    attacks: list[LMAttackResult]
    signal_seconds: float = Field(description="time to compute the per-token signals of every candidate")
    seconds_per_1000_texts: float
    simultaneous: SimultaneousIntervals | None = Field(
        None, description="every attack's AUC and TPR intervals made to hold together (Bonferroni over attacks × "
        "figures): the model's level is read at their lower ends, so picking the strongest attack does not inflate "
        "it; null in results written before they were recorded")


class BlindBaselineResult(_Frozen):
    """A model-free classifier on the texts alone (Das et al. 2024): does the split itself separate?"""

    method: str
    folds: int
    auc: Interval = Field(description="out-of-fold AUC centred by the permutation null (raw − (null − 0.5))")
    raw_auc: float = Field(description="out-of-fold AUC before centring")
    permutation_null_auc: float = Field(description="mean out-of-fold AUC with the labels permuted (below 0.5: "
                                        "the known bias of cross-validated AUC without signal)")
    permutations: int
    shifted: bool = Field(description="the blind AUC's interval lies above 0.5: members and non-members differ")
    matches_attacks: bool = Field(description="shifted, and the best attack's AUC is within the blind interval "
                                  "or below it: the split, not the model, may explain what the attacks find")
    verdict: str


class CanaryRow(_Frozen):
    repetitions: int
    canaries: int
    exposure: Interval = Field(description="mean extrapolated exposure (bits) over the canaries, t-interval")
    empirical_exposure: float = Field(description="mean exposure from the rank among the sampled secrets (at most "
                                      "log2(samples + 1) bits)")
    per_canary: list[float]


class CanaryResult(_Frozen):
    model: str
    template: str = Field(description="the canaries' prefix template: '{template} of NAME is' and the secret")
    digits: int
    log2_space: float
    samples: int
    rows: list[CanaryRow]
    rises_with_repetitions: bool = Field(description="the exposure's interval at the largest repetition count lies "
                                         "above the interval of never-inserted canaries (or above 1.44 bits)")


class LLMAuditResult(_Frozen):
    kind: Literal["llm"] = "llm"
    name: str
    seed: int
    candidates: int
    members: int
    split: str = Field(description="how members and non-members were drawn, in words")
    models: list[LMTargetResult]
    blind_baseline: BlindBaselineResult | None = None
    blind_self_test: BlindBaselineResult | None = Field(
        default=None, description="the blind baseline on a deliberately shifted split (members from one source, "
        "non-members from another), where it must be flagged: evidence that it can detect a shift")
    canaries: list[CanaryResult] = Field(default_factory=list)
    leakpro_version: str
    config_hash: str = Field(description="sha256 of the audit's settings, texts and model fingerprints")
    versions: dict[str, str]
    runtime_s: float
    notes: list[str] = Field(default_factory=list)
