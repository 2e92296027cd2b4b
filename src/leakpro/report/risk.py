"""Risk levels: stated thresholds on measured figures, so that a reader can check every judgement.

A level is never a model's opinion; it is the highest rung whose threshold a measured figure reaches.
Membership rungs look at the two figures that matter for individuals (Carlini et al. 2022): the true-positive
rate at a low false-positive rate (can the attacker be *sure* about some people?) and the AUC (does the
attacker do better than chance on average?). Synthetic-data rungs look at the risk
``(success on training records − success on control records) / (1 − success on control records)``.
Reconstruction rungs look at how far reconstructions beat the best guess made without the attacked update.
Model-inversion rungs look at how far an evaluation classifier recognises the inverted classes beyond chance and an
untrained model; attribute-inference rungs at how far the attack beats imputing the attribute without the model.

Each figure carries a 95 % interval, so each level does too. For one attack the *level* is read at the point
estimates, and its interval is the pair of levels read at the lower and at the upper ends of the figures'
intervals. A *target's* membership level (page one) picks the worst of k attacks, so it is read at the lower ends
of intervals made simultaneous over every attack and figure (:mod:`leakpro.metrics.simultaneous`), with most of
the error budget on a primary attack chosen on reference models without the secret (:mod:`leakpro.audit.headline`):
on a model that leaks nothing it exceeds Low with probability at most 2.5 %, however many attacks ran.

>>> t = MEMBERSHIP_THRESHOLDS
>>> level_of(t, {"auc": 0.5, "tpr@1%": 0.01, "tpr@0.1%": 0.001}).name
'LOW'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from leakpro.metrics.roc import resolves
from leakpro.results.levels import ATTRIBUTE_THRESHOLDS as ATTRIBUTE_THRESHOLDS  # re-exported: the ladder's home
from leakpro.results.levels import INVERSION_THRESHOLDS as INVERSION_THRESHOLDS
from leakpro.results.levels import MEMBERSHIP_THRESHOLDS, RiskLevel, Threshold
from leakpro.results.levels import RECONSTRUCTION_THRESHOLDS as RECONSTRUCTION_THRESHOLDS
from leakpro.results.levels import SYNTHETIC_THRESHOLDS as SYNTHETIC_THRESHOLDS
from leakpro.results.types import AttackResult, OperatingPointResult, SimultaneousIntervals, TargetResult

FIGURE_NAMES = {
    "auc": "AUC",
    "tpr@1%": "TPR at 1 % FPR",
    "tpr@0.1%": "TPR at 0.1 % FPR",
    "risk": "risk (excess over control)",
    "psnr_gain": "PSNR gain over the best baseline",
    "column_gain": "column accuracy gain over the majority guess",
    "inversion_gain": "evaluation accuracy gain over chance and the null control",
    "imputation_gain": "members' accuracy gain over imputation",
}

FIGURE_UNITS = {"auc": "auc", "psnr_gain": "db"}  # how a threshold is printed; default: a percentage


def level_of(thresholds: Sequence[Threshold], figures: Mapping[str, float]) -> RiskLevel:
    """The highest level whose threshold one of ``figures`` reaches (LOW when none does)."""
    reached = [t.level for t in thresholds if t.figure in figures and figures[t.figure] >= t.at]
    return max(reached, default=RiskLevel.LOW)


def deciding(thresholds: Sequence[Threshold], figures: Mapping[str, float]) -> Threshold | None:
    """The first threshold (highest level) that ``figures`` reach: the reason for the level."""
    level = level_of(thresholds, figures)
    for t in thresholds:
        if t.level == level and t.figure in figures and figures[t.figure] >= t.at:
            return t
    return None


@dataclass(frozen=True)
class Assessment:
    """A level with its interval (levels at the lower and upper ends of the figures' intervals)."""

    level: RiskLevel
    low: RiskLevel
    high: RiskLevel
    reason: Threshold | None
    source: str = ""
    strength: float = 0.0  # breaks ties between equal levels (AUC, or the synthetic risk)
    interval_name: str = ""  # set when the interval is not a 95 % interval, e.g. "over 4 records"

    @property
    def interval_text(self) -> str:
        """'High – Very high', or 'High at both ends' when both ends agree; prefixed by a non-default name."""
        if self.interval_name:
            ends = self.low.label if self.low == self.high else f"{self.low.label} – {self.high.label}"
            return f"{self.interval_name}: {ends}"
        if self.low == self.high:
            return f"{self.low.label} at both ends"
        return f"{self.low.label} – {self.high.label}"


def _op(attack: AttackResult, level: float) -> OperatingPointResult:
    for op in attack.tpr_at_fpr:
        if abs(op.fpr_level - level) < 1e-12:
            return op
    raise KeyError(f"attack {attack.id!r} has no TPR at FPR {level}")


def resolvable(op: OperatingPointResult) -> bool:
    """Whether the audit's non-members resolve this point's FPR level (:func:`leakpro.metrics.roc.resolves`)."""
    return resolves(op.non_members, op.fpr_level)


def membership_figures(attack: AttackResult) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(point, lower, upper) figures of one attack, keyed as in :data:`MEMBERSHIP_THRESHOLDS`.

    A TPR at a FPR level the audit's non-members cannot resolve (:func:`resolvable`) is left out: the level
    then rests on the figures that can be measured.
    """
    a = attack.auc
    point, low, high = {"auc": a.value}, {"auc": a.low}, {"auc": a.high}
    for key, level in (("tpr@1%", 0.01), ("tpr@0.1%", 0.001)):
        op = _op(attack, level)
        if resolvable(op):
            point[key], low[key], high[key] = op.tpr.value, op.tpr.low, op.tpr.high
    return point, low, high


def assess(thresholds: Sequence[Threshold], point: Mapping[str, float], low: Mapping[str, float],
           high: Mapping[str, float], source: str = "", strength: float = 0.0,
           interval_name: str = "") -> Assessment:
    """Levels at the point estimates and at both interval ends."""
    return Assessment(level_of(thresholds, point), level_of(thresholds, low), level_of(thresholds, high),
                      deciding(thresholds, point), source, strength, interval_name)


def assess_attack(attack: AttackResult) -> Assessment:
    """Membership risk of one attack."""
    point, low, high = membership_figures(attack)
    return assess(MEMBERSHIP_THRESHOLDS, point, low, high, attack.id, attack.auc.value)


def overall(assessments: Iterable[Assessment]) -> Assessment | None:
    """The worst attack decides: each end of the interval is the worst over attacks at that end."""
    items = list(assessments)
    if not items:
        return None
    worst = max(items, key=lambda a: (a.level, a.high, a.low, a.strength))
    return Assessment(
        level=worst.level,
        low=max(a.low for a in items),
        high=max(a.high for a in items),
        reason=worst.reason,
        source=worst.source,
        strength=worst.strength,
        interval_name=worst.interval_name,
    )


def simultaneous_figures(target: TargetResult, attack_id: str) -> tuple[dict[str, float], dict[str, float],
                                                                         dict[str, float]] | None:
    """(point, lower, upper) of one attack's figures from the target's simultaneous intervals, if recorded."""
    sim = target.simultaneous
    if sim is None or attack_id not in sim.attacks:
        return None
    figs = sim.attacks[attack_id]
    return ({k: v.value for k, v in figs.items()}, {k: v.low for k, v in figs.items()},
            {k: v.high for k, v in figs.items()})


def selection_note(target: TargetResult) -> str:
    """How a target's level accounts for picking the strongest of its attacks, in words."""
    sim = target.simultaneous
    if sim is None:
        return ("read at the strongest attack's point estimate (results written before simultaneous intervals: "
                "picking the best of the attacks is not accounted for)")
    ends = (f"read at the lower ends of {sim.confidence:.0%} intervals that hold together over all "
            f"{len(sim.attacks)} attacks and their figures ({sim.comparisons} intervals")
    if sim.primary is None or sim.primary_share is None:
        why = f" {sim.primary_choice}." if sim.primary_choice else ""
        return (f"{ends}, each at {sim.comparison_confidence:.2%}; Bonferroni), so picking the strongest attack "
                f"does not inflate it.{why}")
    own = next(iter(sim.attacks[sim.primary].values())).confidence
    rest = next(next(iter(f.values())).confidence for a, f in sim.attacks.items() if a != sim.primary)
    return (f"{ends}; weighted Bonferroni), so picking the strongest attack does not inflate it. The primary "
            f"attack is {sim.primary_choice or sim.primary}; its figures hold {sim.primary_share:.0%} of the error "
            f"budget (each at {own:.2%}), the other attacks' figures share the rest (each at "
            f"{rest:.2%}), so a far stronger attack on the target can still raise the level")


def assess_target(target: TargetResult) -> Assessment | None:
    """A target's membership level: the worst attack, read at the lower ends of simultaneous intervals.

    The interval of the level runs from there to the level at the upper ends. Results without simultaneous
    intervals (written by older versions) fall back to the worst attack's point-estimate level.
    """
    if not target.attacks:
        return None
    if target.simultaneous is None:
        return overall(assess_attack(a) for a in target.attacks)
    return assess_simultaneous(target.simultaneous, [a.id for a in target.attacks])


def assess_simultaneous(sim: SimultaneousIntervals, attack_ids: Iterable[str]) -> Assessment | None:
    """The worst of ``attack_ids`` read at the lower ends of ``sim``'s simultaneous intervals (their upper ends
    give the top of the level's interval); None when none of them has simultaneous intervals."""
    items = []
    for attack_id in attack_ids:
        if attack_id not in sim.attacks:
            continue
        figs = sim.attacks[attack_id]
        low, high = {k: v.low for k, v in figs.items()}, {k: v.high for k, v in figs.items()}
        level, top = level_of(MEMBERSHIP_THRESHOLDS, low), level_of(MEMBERSHIP_THRESHOLDS, high)
        name = f"simultaneous {sim.confidence:.0%} over {len(sim.attacks)} attacks"
        if attack_id == sim.primary:
            name += " (primary)"
        items.append(Assessment(level, level, top, deciding(MEMBERSHIP_THRESHOLDS, low), attack_id,
                                low.get("auc", 0.0), name))
    return overall(items)
