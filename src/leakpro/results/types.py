"""Result values. Frozen pydantic models; ``schema/results.schema.json`` is generated from them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from leakpro.results.dp_audit import DPAuditResult

SCHEMA_VERSION = "1.0"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(_Frozen):
    """A point estimate with its two-sided interval."""

    value: float
    low: float
    high: float
    confidence: float = 0.95
    method: str


class OperatingPointResult(_Frozen):
    """TPR at FPR ≤ level: the largest TPR over thresholds whose FPR does not exceed the level."""

    fpr_level: float = Field(description="the FPR ceiling (0.1, 0.01, 0.001, 0)")
    threshold: float | None = Field(description="score threshold: member when score ≥ it; null: nobody flagged")
    tpr: Interval = Field(description="true-positive rate; its interval covers the true TPR at FPR = level, the "
                          "threshold's own error included ('quantile-rank mixture', leakpro.metrics.tpr_interval); "
                          "at level 0, Clopper–Pearson at the observed threshold")
    fpr: Interval = Field(description="achieved false-positive rate with its Clopper–Pearson interval")
    true_positives: int
    false_positives: int
    members: int
    non_members: int


HEURISTIC_EPSILON_CAVEAT = (
    "heuristic, not a DP lower bound: it treats the candidates of one training run as independent trials, which "
    "they are not (one model, a fixed member set); sound (ε, δ) lower bounds come from the one-run canary audit "
    "(Bernoulli inclusion) or from many independent training runs")


class EpsilonHeuristic(_Frozen):
    """ln(TPR/FPR) of this attack's scores with Clopper–Pearson bounds, threshold chosen on a held-out half.

    It would be an (ε, δ) lower bound if every candidate were an independent trial; the candidates of one training
    run are not, so it is a heuristic figure and is kept out of DP statements (see ``caveat``).
    """

    epsilon: float
    kind: Literal["heuristic"] = "heuristic"
    caveat: str = HEURISTIC_EPSILON_CAVEAT
    delta: float
    confidence: float
    direction: str = Field(description="'members-high': TPR vs FPR; 'members-low': TNR vs FNR")
    threshold: float
    successes: int
    trials: int
    errors: int
    error_trials: int


class SimultaneousIntervals(_Frozen):
    """Intervals of every attack's level figures that hold together (valid after picking the strongest attack)."""

    method: str = Field(description="how the intervals were made simultaneous, e.g. Bonferroni over attacks × figures")
    confidence: float = Field(description="family-wise confidence: all intervals hold together at least this often")
    comparison_confidence: float = Field(
        description="confidence of each single interval (the lowest, when the error budget is weighted; each "
                    "interval states its own)")
    comparisons: int
    attacks: dict[str, dict[str, Interval]] = Field(
        description="attack id → figure ('auc', 'tpr@1%', 'tpr@0.1%') → point estimate with simultaneous interval")
    primary: str | None = Field(
        None, description="the attack chosen without the secret (replayed on reference models) whose figures get "
                          "most of the error budget; null when none could be chosen")
    primary_share: float | None = Field(None, description="part of the error budget given to the primary attack")
    primary_choice: str | None = Field(None, description="how the primary attack was chosen, in words")
    primary_evidence: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="attack id → figure → mean value on the reference models that played the "
                                          "target: what the primary attack was chosen on (never the target's secret)")
    not_replayed: dict[str, str] = Field(
        default_factory=dict, description="attack id → why it could not be replayed on reference models (it takes "
                                          "no part in the choice of the primary attack)")


class BaselineComparison(_Frozen):
    """This attack's AUC minus a simpler baseline's on the same records (paired DeLong interval)."""

    baseline: str = Field(description="id of the baseline attack, e.g. 'gap'")
    auc_difference: Interval = Field(description="AUC of this attack − AUC of the baseline, paired DeLong interval")
    verdict: Literal["beats", "not distinguishable", "worse"] = Field(
        description="rule: 'beats' when the interval's lower end is above 0, 'worse' when its upper end is below 0, "
        "else 'not distinguishable'; only 'beats' counts as beating the baseline")


class AttackResult(_Frozen):
    """One attack against one target."""

    id: str = Field(description="unique within the audit, e.g. 'rmia-online'")
    attack: str = Field(description="registered attack name")
    title: str
    paper: str
    threat_model: Literal["scores", "labels"]
    params: dict[str, Any]
    derived: dict[str, Any] = Field(default_factory=dict, description="values the attack chose itself")
    seed: int
    runtime_s: float
    queries: int = Field(description="records queried from the target by this attack")
    auc: Interval
    tpr_at_fpr: list[OperatingPointResult]
    balanced_accuracy: float = Field(description="best ½(TPR+TNR) over thresholds (optimistic)")
    advantage: float = Field(description="best TPR − FPR over thresholds (membership advantage)")
    roc: dict[str, list[float]] = Field(description="downsampled ROC: {'fpr': [...], 'tpr': [...]}")
    scores_column: str = Field(description="column of this attack in the target's scores file")
    epsilon_heuristic: EpsilonHeuristic | None = Field(
        None, description="a heuristic ε figure from this attack's scores (NOT a DP lower bound; see its caveat)")
    versus_baseline: BaselineComparison | None = Field(
        None, description="for attacks with a declared baseline (label-only attacks: the gap attack), run in the same "
        "audit: the AUC difference and whether this attack beats it")


class TargetResult(_Frozen):
    """All attacks against one target (the audited model, or the null control)."""

    name: str
    role: Literal["target", "null", "defence"] = Field(
        description="'null': trained without the candidate members; 'defence': a defended variant of the target"
    )
    description: str
    train_accuracy: float | None = Field(description="accuracy on the candidate members")
    test_accuracy: float | None = Field(description="accuracy on the candidate non-members")
    scores_file: str = Field(description="CSV of per-record scores, relative to results.json")
    threat_model: Literal["scores", "labels"] = "scores"
    defence: dict[str, Any] | None = Field(None, description="the defence of this variant, as configured")
    privacy: dict[str, float] | None = Field(None, description="DP accountant: epsilon, delta, noise multiplier")
    attacks: list[AttackResult]
    simultaneous: SimultaneousIntervals | None = Field(
        None, description="the attacks' AUC and TPR intervals made simultaneous; risk levels are read at their lower "
        "ends, so picking the strongest attack does not inflate the level")


class RiskUtility(_Frozen):
    """One row of the risk–utility comparison across targets (maxima over attacks are optimistic)."""

    target: str
    role: str
    test_accuracy: float | None
    strongest_attack: str = Field(description="the attack with the highest TPR at 1% FPR")
    tpr_at_1pct_fpr: Interval = Field(description="its TPR at 1% FPR, with the target's simultaneous interval")
    auc: Interval = Field(description="AUC of the strongest attack, with the target's simultaneous interval")
    selection: str = Field("", description="how the strongest attack was picked and how its intervals account for "
                           "the choice")
    max_auc: float = Field(description="highest AUC over all attacks")
    epsilon_heuristic: float = Field(description="highest heuristic ε figure over all attacks (not a DP lower "
                                     "bound; the one-run audit gives one)")
    accountant_epsilon: float | None


class OneRunResult(_Frozen):
    """A canary-based one-run audit of one training recipe (Steinke et al. 2023)."""

    variant: str = Field(description="'target' or a defence name: whose recipe trained the canary run")
    canaries: int
    included: int = Field(description="canaries that were actually trained on (the secret)")
    guesses: int
    correct: int
    delta: float
    confidence: float
    epsilon_lower_bound: float
    accountant_epsilon: float | None


class ClassInversionResult(_Frozen):
    """MI-Face reconstructions of one model, judged by a separately trained evaluation classifier."""

    target: str  # "target", "null" (trained without the members) or "untrained" (the attack's control)
    n_classes: int
    restarts: int  # reconstructions per class
    attack_accuracy: Interval  # evaluation classifier agrees with the inverted class (restarts counted as
    # trials; they share a start image up to noise, so the interval is optimistic; see classes_recovered)
    classes_recovered: int  # classes whose majority of restarts the evaluation classifier labels correctly
    chance: float  # 1 / n_classes
    above_chance: bool  # the interval's lower end is above chance
    nearest_private_distance: list[float]  # per class: mean L2 distance to the nearest private image of it
    nearest_public_distance: list[float]  # per class: the same for public (non-member) images, a reference
    nearest_non_member_distance: list[float] | None = None  # per class: mean L2 distance of the reconstructions to
    # the nearest non-member image of the class, drawn like the members (same number): nearer the members than
    # this points at the training records; about equal is what class-level features give
    evaluator_accuracy: float  # the evaluation classifier's accuracy on public (held-out) images
    params: dict[str, Any] | None = None  # the attack's parameters (steps, lr, prior, components, ...)
    png: str | None  # file name of the image grid (classes × restarts), relative to the output folder
    seed: int


class AttributeInferenceResult(_Frozen):
    """Fredrikson-style attribute inference on members and non-members, against imputation."""

    target: str = "target"  # whose outputs were attacked: "target", "null" or a defence name
    attribute: str
    prior: str  # the attack's prior on the attribute: marginal, imputation or none
    candidates: list[str]  # the values tried
    members: Interval  # attack accuracy on the target's training records
    non_members: Interval
    learned_members: Interval  # the learned attacker (outputs → attribute, fit on population records)
    learned_non_members: Interval
    baseline_members: Interval  # imputation from the other columns (population model, no target access)
    baseline_non_members: Interval
    lift_members: float  # attack − baseline accuracy
    lift_non_members: float
    leaks_beyond_imputation: bool  # members' attack interval lies above both baselines' upper ends
    n_members: int
    n_non_members: int
    seed: int


class DataSummary(_Frozen):
    name: str
    n_records: int
    n_candidates: int
    n_members: int
    n_population: int
    n_classes: int
    member_prior: float
    base_dir: str | None = Field(None, description="the directory relative data paths in the config start from; "
                                 "the report re-reads a table from it to show the exposed records' features")
    fingerprint: str | None = Field(None, description="sha256 of the features and labels: a re-read table is used "
                                    "only if it still matches")


class ReferenceSummary(_Frozen):
    models: int
    trained: int
    from_cache: int
    train_size: int
    recipe: dict[str, Any]


class AuditResult(_Frozen):
    """The whole audit: what was audited, how, and every attack's figures."""

    schema_version: str = SCHEMA_VERSION
    leakpro_version: str
    created: str
    seed: int
    config: dict[str, Any]
    config_hash: str
    versions: dict[str, str]
    data: DataSummary
    reference_models: ReferenceSummary | None
    targets: list[TargetResult]
    risk_utility: list[RiskUtility] = Field(default_factory=list)
    one_run: list[OneRunResult] = Field(default_factory=list)
    dp_audit: list[DPAuditResult] = Field(
        default_factory=list, description="white-box DP-SGD audits with gradient canaries (leakpro.results.dp_audit)")
    extraction: dict[str, Any] | None = Field(
        None, description="leakpro.attacks.extraction.results: 'extraction' (ExtractionResult) and "
        "'surrogate_membership' (SurrogateMembershipResult)")
    property_inference: dict[str, Any] | None = Field(
        None, description="leakpro.attacks.property.results.PropertyInferenceResult")
    inversion: list[ClassInversionResult] = Field(
        default_factory=list, description="white-box class inversion of the target, the null target and an "
        "untrained control (PNG grids beside results.json)")
    attribute_inference: list[AttributeInferenceResult] = Field(
        default_factory=list, description="attribute inference per attribute and audited model, against imputation")
    api_usage: dict[str, int | None] | None = Field(
        None, description="for a target behind an HTTP API: query budget, records spent over all runs (resumed "
        "runs included), records sent and answered from the cache in this run, HTTP requests")
    stage_runtime_s: dict[str, float]
    notes: list[str] = Field(default_factory=list)
