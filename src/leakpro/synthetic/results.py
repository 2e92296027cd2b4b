"""Typed, frozen, JSON-serialisable results of the synthetic-data audit (pydantic v2 models).

:func:`attack_result` turns raw success counts into an :class:`AttackResult`: rates with Wilson
intervals for ORI, CONTROL and the random-guess baseline, the risk with its interval, and the flags.

Families: an audit runs ``k`` attacks per family (singling out, linkability, inference, membership), and
a family is judged by its worst attack. Reading each attack at its own 95 % interval would pick out noise
among ~30 inference attacks, so every result also carries a :class:`Simultaneous` interval at
``1 - 0.05 / k`` (Bonferroni over the family's ``k`` attacks): the ``k`` intervals then hold together with
probability at least 95 %, and the family's demonstrated risk is the largest lower end among them.
:func:`in_family` sets it once ``k`` is known; a lone attack has ``k = 1``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict

from leakpro.synthetic.risk import (
    Auc,
    Rate,
    auc_interval,
    no_better_than_baseline,
    risk_bounds,
    risk_estimate,
    simultaneous_confidence,
    success_rate,
)

FAMILIES = ("singling_out", "linkability", "inference", "membership")
FAMILY_CONFIDENCE = 0.95
SIMULTANEOUS_METHOD = "Bonferroni"


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


class Simultaneous(_Frozen):
    """An interval at ``confidence = 1 - 0.05 / family_size``: with the other attacks of the family, 95 % jointly."""

    ci_low: float
    ci_high: float
    confidence: float
    family_size: int
    method: str = SIMULTANEOUS_METHOD


class RiskResult(_Frozen):
    """Risk ``(r_ori - r_control) / (1 - r_control)`` with its 95 % and simultaneous intervals.

    ``value``, the intervals and ``simultaneous`` are ``None`` when the risk is undefined; ``undefined_reason``
    then says why (see :func:`leakpro.synthetic.risk.undefined_reason`).
    """

    value: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    simultaneous: Simultaneous | None = None
    undefined_reason: str | None = None

    @property
    def defined(self) -> bool:
        """Whether the risk could be measured."""
        return self.value is not None


def risk_result(ori: Rate, control: Rate, family_size: int = 1, confidence: float = FAMILY_CONFIDENCE) -> RiskResult:
    """The risk of ``ori`` against ``control`` at ``confidence`` and simultaneous over ``family_size`` attacks.

    Whether it is defined is decided at the simultaneous confidence, the one its level is read at.
    """
    joint_confidence = simultaneous_confidence(family_size, confidence)
    joint = risk_estimate(ori, control, joint_confidence)
    if joint.value is None or joint.low is None or joint.high is None:
        return RiskResult(value=None, ci_low=None, ci_high=None, confidence=confidence,
                          undefined_reason=joint.undefined_reason)
    low, high = risk_bounds(ori, control, confidence)
    return RiskResult(
        value=joint.value,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        simultaneous=Simultaneous(
            ci_low=joint.low, ci_high=joint.high, confidence=joint_confidence, family_size=family_size
        ),
    )


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

    def rates(self) -> tuple[Rate, Rate]:
        """ORI's and CONTROL's success counts as :class:`~leakpro.synthetic.risk.Rate` values."""
        return (success_rate(self.ori.successes, self.ori.trials), success_rate(self.control.successes,
                                                                                self.control.trials))


class MembershipResult(_Frozen):
    """Membership inference on synthetic data: AUC of members (ORI) against non-members (CONTROL)."""

    attack: str
    variant: str
    params: dict[str, Any]
    auc: float
    ci_low: float
    ci_high: float
    confidence: float
    std_error: float
    simultaneous: Simultaneous
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
        """Demonstrated risk per attack family: the largest lower end of the family's simultaneous intervals.

        Each attack's interval is at ``1 - 0.05 / k`` for the ``k`` attacks of its family (Bonferroni), so the
        largest lower end, floored at 0, is shown with 95 % confidence however many attacks were tried.
        Undefined risks are left out. Membership counts as the advantage ``2·AUC − 1`` at the lower end.
        """
        out: dict[str, float] = {}
        for fam in FAMILIES[:3]:
            lows = [a.risk.simultaneous.ci_low for a in self.attacks
                    if a.attack == fam and a.risk.simultaneous is not None]
            out[fam] = max([0.0, *lows])
        out["membership"] = max([0.0, *(2.0 * m.simultaneous.ci_low - 1.0 for m in self.membership)])
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
    confidence: float = FAMILY_CONFIDENCE,
) -> AttackResult:
    """Build an :class:`AttackResult` from success ``counts`` and ``trials`` (ORI, CONTROL, baseline).

    The risk is that of a lone attack (``family_size = 1``); :func:`in_family` re-reads it within its family.
    """
    ori, control, base = (success_rate(s, n, confidence) for s, n in zip(counts, trials, strict=True))
    risk = risk_result(ori, control, 1, confidence)
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
        risk=risk,
        no_better_than_baseline=flagged,
        significant=_significant(risk),
        exposed_records=sorted(set(exposed)),
        findings=notes,
        runtime_s=round(runtime_s, 4),
    )


def _significant(risk: RiskResult) -> bool:
    return risk.simultaneous is not None and risk.simultaneous.ci_low > 0.0


def _auc_simultaneous(value: float, std_error: float, family_size: int) -> Simultaneous:
    confidence = simultaneous_confidence(family_size, FAMILY_CONFIDENCE)
    low, high = auc_interval(value, std_error, confidence)
    return Simultaneous(ci_low=low, ci_high=high, confidence=confidence, family_size=family_size)


def membership_result(
    *,
    variant: str,
    params: dict[str, Any],
    auc: Auc,
    exposed: list[int],
    findings: list[str],
    runtime_s: float,
) -> MembershipResult:
    """Build a :class:`MembershipResult`; flagged when the AUC's 95 % interval does not lie above 0.5."""
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
        std_error=auc.std_error,
        simultaneous=_auc_simultaneous(auc.value, auc.std_error, 1),
        n_members=auc.n_positive,
        n_non_members=auc.n_negative,
        baseline_auc=0.5,
        advantage=2.0 * auc.value - 1.0,
        not_better_than_random=flagged,
        exposed_records=sorted(set(exposed)),
        findings=notes,
        runtime_s=round(runtime_s, 4),
    )


def in_family(results: list[AttackResult | MembershipResult]) -> list[AttackResult | MembershipResult]:
    """Every result with its interval made simultaneous over the attacks of its family in ``results``.

    A family is the ``attack`` name (membership: every :class:`MembershipResult`); with ``k`` attacks in it,
    each interval is recomputed at ``1 - 0.05 / k`` from the recorded counts (or AUC and standard error), and
    whether a risk is defined is decided at that confidence.
    """
    sizes = Counter(r.attack for r in results)
    out: list[AttackResult | MembershipResult] = []
    for r in results:
        k = sizes[r.attack]
        if isinstance(r, MembershipResult):
            out.append(r.model_copy(update={"simultaneous": _auc_simultaneous(r.auc, r.std_error, k)}))
            continue
        risk = risk_result(*r.rates(), k, r.risk.confidence)
        out.append(r.model_copy(update={"risk": risk, "significant": _significant(risk)}))
    return out
