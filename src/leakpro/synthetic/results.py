"""Typed, frozen, JSON-serialisable results of the synthetic-data audit (pydantic v2 models).

:func:`attack_result` turns raw success counts into an :class:`AttackResult`: rates with Wilson
intervals for ORI, CONTROL and the random-guess baseline, the risk with its interval, and the flags.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from leakpro.synthetic.risk import Auc, Rate, Risk, no_better_than_baseline, risk_estimate, success_rate


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RateResult(_Frozen):
    """Successes out of trials and the rate's Wilson interval."""

    successes: int
    trials: int
    rate: float
    ci_low: float
    ci_high: float

    @classmethod
    def of(cls, rate: Rate) -> RateResult:
        """From a :class:`~leakpro.synthetic.risk.Rate`."""
        return cls(
            successes=rate.successes, trials=rate.trials, rate=rate.value, ci_low=rate.low, ci_high=rate.high
        )


class RiskResult(_Frozen):
    """Risk ``(r_ori - r_control) / (1 - r_control)`` with its conservative joint interval."""

    value: float
    ci_low: float
    ci_high: float
    confidence: float

    @classmethod
    def of(cls, risk: Risk) -> RiskResult:
        """From a :class:`~leakpro.synthetic.risk.Risk`."""
        return cls(value=risk.value, ci_low=risk.low, ci_high=risk.high, confidence=risk.confidence)


class AttackResult(_Frozen):
    """One attack (singling out, linkability or inference) run against ORI, CONTROL and as a baseline.

    ``exposed_records`` are 0-based row positions in the real (ORI) table as given.
    """

    attack: str
    variant: str
    target: str | None = None
    params: dict[str, Any]
    ori: RateResult
    control: RateResult
    baseline: RateResult
    risk: RiskResult
    no_better_than_baseline: bool
    significant: bool
    exposed_records: list[int]
    findings: list[str]
    runtime_s: float

    @property
    def name(self) -> str:
        """``attack/variant[/target]``."""
        return "/".join(p for p in (self.attack, self.variant, self.target) if p)


class MembershipResult(_Frozen):
    """Membership inference on synthetic data: AUC of members (ORI) against non-members (CONTROL)."""

    attack: str
    variant: str
    params: dict[str, Any]
    auc: float
    ci_low: float
    ci_high: float
    confidence: float
    n_members: int
    n_non_members: int
    baseline_auc: float
    advantage: float
    not_better_than_random: bool
    exposed_records: list[int]
    findings: list[str]
    runtime_s: float

    @property
    def name(self) -> str:
        """``attack/variant``."""
        return f"{self.attack}/{self.variant}"


class SyntheticAuditResult(_Frozen):
    """Everything one synthetic-data audit found, with the choices it made and what it needs to repeat."""

    seed: int
    n_attacks: int
    sizes: dict[str, int]
    column_types: dict[str, str]
    secrets: list[str]
    secrets_source: str
    aux_columns: list[str]
    aux_source: str
    linkability_split: list[list[str]]
    missing_as_category: list[str]
    attacks: list[AttackResult]
    membership: list[MembershipResult]
    notes: list[str]
    versions: dict[str, str]
    config_hash: str
    runtime_s: float

    def family_risks(self) -> dict[str, float]:
        """Demonstrated risk per attack family: the largest lower 95 % bound of a risk in that family.

        Lower bounds, floored at 0, so that a figure is only counted when the data show it with
        confidence (a point estimate over ~30 attacks would pick out noise). Membership counts as the
        advantage ``2·AUC − 1`` at the AUC's lower bound.
        """
        out: dict[str, float] = {}
        for fam in ("singling_out", "linkability", "inference"):
            lows = [a.risk.ci_low for a in self.attacks if a.attack == fam]
            out[fam] = max([0.0, *lows])
        out["membership"] = max([0.0, *(2.0 * m.ci_low - 1.0 for m in self.membership)])
        return out

    def overall_risk(self) -> float:
        """Mean of :meth:`family_risks` over the four families (0 = nothing shown, 1 = everything)."""
        risks = self.family_risks()
        return sum(risks.values()) / len(risks)

    def to_json(self) -> str:
        """Indented JSON text of the whole result."""
        return self.model_dump_json(indent=2)


def attack_result(
    *,
    attack: str,
    variant: str,
    target: str | None,
    params: dict[str, Any],
    counts: tuple[int, int, int],
    trials: tuple[int, int, int],
    exposed: list[int],
    findings: list[str],
    runtime_s: float,
    confidence: float = 0.95,
) -> AttackResult:
    """Build an :class:`AttackResult` from success ``counts`` and ``trials`` (ORI, CONTROL, baseline)."""
    ori, control, base = (success_rate(s, n, confidence) for s, n in zip(counts, trials, strict=True))
    risk = risk_estimate(ori, control, confidence)
    flagged = no_better_than_baseline(ori, base)
    notes = list(findings)
    if flagged:
        notes.append(
            f"Flagged: on ORI the attack succeeded {ori.value:.1%} of the time, not clearly above random "
            f"guessing ({base.value:.1%}); its risk figure says little."
        )
    return AttackResult(
        attack=attack,
        variant=variant,
        target=target,
        params=params,
        ori=RateResult.of(ori),
        control=RateResult.of(control),
        baseline=RateResult.of(base),
        risk=RiskResult.of(risk),
        no_better_than_baseline=flagged,
        significant=risk.low > 0.0,
        exposed_records=sorted(set(exposed)),
        findings=notes,
        runtime_s=round(runtime_s, 4),
    )


def membership_result(
    *,
    variant: str,
    params: dict[str, Any],
    auc: Auc,
    exposed: list[int],
    findings: list[str],
    runtime_s: float,
) -> MembershipResult:
    """Build a :class:`MembershipResult`; flagged when the AUC interval does not lie above 0.5."""
    flagged = auc.low <= 0.5
    notes = list(findings)
    if flagged:
        notes.append(
            f"Flagged: AUC {auc.value:.3f} [{auc.low:.3f}, {auc.high:.3f}] is not clearly above 0.5."
        )
    return MembershipResult(
        attack="membership",
        variant=variant,
        params=params,
        auc=auc.value,
        ci_low=auc.low,
        ci_high=auc.high,
        confidence=auc.confidence,
        n_members=auc.n_positive,
        n_non_members=auc.n_negative,
        baseline_auc=0.5,
        advantage=2.0 * auc.value - 1.0,
        not_better_than_random=flagged,
        exposed_records=sorted(set(exposed)),
        findings=notes,
        runtime_s=round(runtime_s, 4),
    )
