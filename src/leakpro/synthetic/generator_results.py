"""Typed, frozen results of a generator audit (``generator_results.json``): per target record, per generator.

A :class:`GeneratorAudit` holds, for one generator, the shadow-modelling MIA on each chosen target (AUC and
TPR at 1 % FPR with intervals, beside DCR and DOMIAS on the very same evaluation tables), the verdict, and —
when the generator states a DP ε — the ε lower bound from the attack on the worst-case record.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from leakpro.results.types import Interval

GENERATOR_RESULTS_FILE = "generator_results.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AttackFigures(_Frozen):
    """One attack's scores on one target's evaluation tables: AUC and TPR at FPR ≤ 1 %, with intervals."""

    auc: Interval
    tpr_at_1pct: Interval
    auc_simultaneous_low: float  # lower end at 1 − 0.05/k over the audit's k targets (Bonferroni)


class TargetExposure(_Frozen):
    """How exposed one target record is to the shadow-modelling attack, beside DCR and DOMIAS."""

    record: int  # 0-based row of the audited table
    chosen: Literal["worst-case", "random"]
    vulnerability: float  # mean Gower distance to its nearest neighbours (Meeus et al. 2023); higher = more isolated
    values: dict[str, str]
    shadow: AttackFigures
    dcr: AttackFigures
    domias: AttackFigures
    shadow_minus_dcr: Interval  # paired DeLong difference of AUCs on the same evaluation tables
    train_tables: int
    eval_tables: int

    @property
    def exposed(self) -> bool:
        """The shadow attack's AUC lies above 0.5 simultaneously over the audit's targets."""
        return self.shadow.auc_simultaneous_low > 0.5

    @property
    def beats_dcr(self) -> bool:
        """The shadow attack's AUC exceeds DCR's on the same tables (paired 95 % interval above 0)."""
        return self.shadow_minus_dcr.low > 0.0


class EpsilonAudit(_Frozen):
    """An ε lower bound from many independent train/generate runs on one neighbouring pair (D, D ∪ {x})."""

    stated_epsilon: float
    delta: float
    record: int
    epsilon_lower: float
    confidence: float
    threshold_runs: int  # runs the threshold (and direction) was chosen on
    counted_runs: int  # the other runs, whose counts the bound is computed from
    train_runs: int  # runs the attack classifier was trained on (separate from both)
    successes: int
    trials: int
    errors: int
    error_trials: int
    direction: str
    ceiling: float  # the largest bound these run counts could give (perfect separation)
    synthetic_rows: int
    features: list[str]
    violated: bool  # the lower bound exceeds the stated ε: the claim is false (at the stated confidence)
    seed: int


class GeneratorAudit(_Frozen):
    """Everything the audit found about one generator."""

    generator: str
    spec: dict[str, Any]
    settings: dict[str, Any]
    targets: list[TargetExposure]
    epsilon: list[EpsilonAudit]
    verdict: str
    notes: list[str]
    seed: int
    runtime_s: float

    def worst(self, chosen: str = "worst-case") -> TargetExposure | None:
        """The target of ``chosen`` kind with the highest shadow AUC."""
        pool = [t for t in self.targets if t.chosen == chosen]
        return max(pool, key=lambda t: t.shadow.auc.value) if pool else None


class GeneratorAuditResults(_Frozen):
    """Every generator audited in one run."""

    kind: Literal["generator_audit"] = "generator_audit"
    audits: list[GeneratorAudit]
    versions: dict[str, str]
    config_hash: str

    def to_json(self) -> str:
        """Indented JSON text."""
        return self.model_dump_json(indent=2)
