"""Model inversion and attribute inference: what an attacker rebuilds or deduces from a trained model (issue 6).

Drawn from ``inversion.json`` (MI-Face class inversion of the audited model and of an untrained null control,
judged by a separately trained evaluation classifier, with the PNG grids it names) and
``attribute_inference.json`` (per attribute: the attack on members and non-members, against imputing the
attribute from the other columns without the model). Missing keys are shown as "—", never guessed. Class
inversion answers page one's *reconstruction* question; attribute inference adds its own row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from leakpro.report import fmt
from leakpro.report.inputs import ATTRIBUTE_INFERENCE_FILE, INVERSION_FILE, ReportInputs
from leakpro.report.risk import (
    ATTRIBUTE_THRESHOLDS,
    FIGURE_NAMES,
    FIGURE_UNITS,
    INVERSION_THRESHOLDS,
    Assessment,
    assess,
    overall,
)
from leakpro.report.sections.base import SectionContent, SummaryRow, register_section
from leakpro.report.sections.federated_views import Embedded, embed_png
from leakpro.report.text import RECONSTRUCTION_MEANING

ATTRIBUTE_QUESTION = ("Model inversion — attribute inference: can a hidden attribute of a training record be "
                      "deduced from the model?")
IMPUTATION_NOTE = "no better than imputation from the other columns: that is imputation, not leakage"
HOW = (
    "<b>Model inversion.</b> Class inversion is read from how far an evaluation classifier (another architecture, "
    "trained on the same private data) recognises the inverted classes beyond the better of chance and the same "
    "attack on an untrained model; attribute inference from how far the attack's accuracy on training records "
    "beats imputing the attribute from the other columns without the model. The range is read at the ends of the "
    "accuracy's 95 % Clopper–Pearson interval."
)


ROLE_NAMES = {"target": "Audited model", "untrained": "Untrained model (control)",
              "null": "Trained without the members (null target)"}
CONTROL_ROLES = ("untrained", "null")  # whose inversion accuracy the audited model must beat


@dataclass(frozen=True)
class Rate:
    """An accuracy with its 95 % interval (``None`` when the file lacks it)."""

    value: float | None
    low: float | None
    high: float | None

    @property
    def text(self) -> str:
        """'81.00% [74.9%, 86.1%]', or '—'."""
        if self.value is None:
            return "—"
        if self.low is None or self.high is None:
            return fmt.pct(self.value)
        return f"{fmt.pct(self.value)} {fmt.interval_pct(self.low, self.high)}"


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _rate(value: Any) -> Rate:
    if isinstance(value, dict):
        return Rate(_num(value.get("value")), _num(value.get("low")), _num(value.get("high")))
    return Rate(_num(value), None, None)


def _mean(values: Any) -> float | None:
    nums = [v for v in (_num(x) for x in values) if v is not None] if isinstance(values, list) else []
    return sum(nums) / len(nums) if nums else None


@dataclass(frozen=True)
class InversionView:
    """One class-inversion result (the audited model or the null control)."""

    role: str  # "target" or "null"
    accuracy: Rate
    chance: float | None
    classes_recovered: int | None
    n_classes: int | None
    restarts: int | None
    private_distance: float | None  # mean over classes of the distance to the nearest private image
    public_distance: float | None  # the same for public images, a reference
    non_member_distance: float | None  # reconstructions to the nearest non-member image (as many as the members)
    params: str  # the attack's parameters as "key=value, ..." ("" when the file lacks them)
    evaluator_accuracy: float | None
    above_chance: bool
    seed: Any
    image: Embedded | None

    @property
    def name(self) -> str:
        """'Audited model', 'Untrained model (control)', 'Trained without the members (null target)', or the role."""
        return ROLE_NAMES.get(self.role, f"Defended variant {self.role!r}")

    @property
    def closer_to_private(self) -> bool | None:
        """Whether the reconstructions lie nearer the private (member) images than equally many non-members."""
        if self.private_distance is None or self.non_member_distance is None:
            return None
        return self.private_distance < self.non_member_distance


def inversion_view(raw: dict[str, Any], base: Path) -> InversionView:
    """One entry of inversion.json, with its grid embedded (inside ``base``, PNG only)."""
    png = raw.get("png")
    chance = _num(raw.get("chance"))
    n_classes = raw.get("n_classes") if isinstance(raw.get("n_classes"), int) else None
    if chance is None and n_classes:
        chance = 1.0 / n_classes
    accuracy = _rate(raw.get("attack_accuracy"))
    above = raw.get("above_chance")
    if not isinstance(above, bool):
        above = accuracy.low is not None and chance is not None and accuracy.low > chance
    recovered = raw.get("classes_recovered")
    restarts = raw.get("restarts")
    return InversionView(
        role=str(raw.get("target", "target")), accuracy=accuracy, chance=chance,
        classes_recovered=recovered if isinstance(recovered, int) else None, n_classes=n_classes,
        restarts=restarts if isinstance(restarts, int) else None,
        private_distance=_mean(raw.get("nearest_private_distance")),
        public_distance=_mean(raw.get("nearest_public_distance")),
        non_member_distance=_mean(raw.get("nearest_non_member_distance")),
        params=", ".join(f"{k}={v}" for k, v in sorted(raw["params"].items())) if isinstance(raw.get("params"), dict)
        else "",
        evaluator_accuracy=_num(raw.get("evaluator_accuracy")), above_chance=above, seed=raw.get("seed", "—"),
        image=embed_png(base, str(png), INVERSION_FILE) if isinstance(png, str) and png else None,
    )


def inversion_assessment(target: InversionView, controls: list[InversionView]) -> Assessment | None:
    """Level of the audited model's class inversion: accuracy gain over max(chance, the controls' accuracy).

    The controls are the untrained model (what the attack makes of a model that learned nothing) and, when
    audited, the null target (what any model trained on such data gives away: the classes, not the members).
    """
    a = target.accuracy
    refs = [r for r in (target.chance, *(c.accuracy.value for c in controls)) if r is not None]
    if a.value is None or not refs:
        return None
    ref = max(refs)
    low = a.low if a.low is not None else a.value
    high = a.high if a.high is not None else a.value
    return assess(INVERSION_THRESHOLDS, {"inversion_gain": a.value - ref}, {"inversion_gain": low - ref},
                  {"inversion_gain": high - ref}, "class_inversion", a.value - ref)


@dataclass(frozen=True)
class AttributeView:
    """One attribute of one model: the attack on members and non-members against imputation."""

    role: str
    attribute: str
    prior: str
    members: Rate
    non_members: Rate
    learned_members: Rate
    learned_non_members: Rate
    baseline_members: Rate
    baseline_non_members: Rate
    lift_members: float | None
    lift_non_members: float | None
    leaks: bool
    n_members: Any
    n_non_members: Any
    assessment: Assessment | None

    @property
    def imputation_only(self) -> bool:
        """The attack is no better than imputation on the training records (lift ≤ 0)."""
        return self.lift_members is not None and self.lift_members <= 0

    @property
    def verdict(self) -> str:
        """Plain words for the row."""
        if self.lift_members is None:
            return "not assessed: the file lacks the imputation baseline"
        if self.imputation_only:
            return IMPUTATION_NOTE
        if self.leaks:
            return "leaks beyond imputation"
        return "above imputation, but within the intervals"


def _lift(raw: dict[str, Any], key: str, attack: Rate, baseline: Rate) -> float | None:
    lift = _num(raw.get(key))
    if lift is None and attack.value is not None and baseline.value is not None:
        lift = attack.value - baseline.value
    return lift


def attribute_view(role: str, raw: dict[str, Any]) -> AttributeView:
    """One entry of attribute_inference.json."""
    members, non_members = _rate(raw.get("members")), _rate(raw.get("non_members"))
    base_m, base_n = _rate(raw.get("baseline_members")), _rate(raw.get("baseline_non_members"))
    lift_m = _lift(raw, "lift_members", members, base_m)
    assessment = None
    if lift_m is not None and members.value is not None and base_m.value is not None:
        low = (members.low if members.low is not None else members.value) - base_m.value
        high = (members.high if members.high is not None else members.value) - base_m.value
        assessment = assess(ATTRIBUTE_THRESHOLDS, {"imputation_gain": lift_m}, {"imputation_gain": low},
                            {"imputation_gain": high}, str(raw.get("attribute", "")), lift_m)
    leaks = raw.get("leaks_beyond_imputation")
    return AttributeView(
        role=role, attribute=str(raw.get("attribute", "—")), prior=str(raw.get("prior", "—")),
        members=members, non_members=non_members, learned_members=_rate(raw.get("learned_members")),
        learned_non_members=_rate(raw.get("learned_non_members")), baseline_members=base_m,
        baseline_non_members=base_n, lift_members=lift_m,
        lift_non_members=_lift(raw, "lift_non_members", non_members, base_n),
        leaks=leaks if isinstance(leaks, bool) else False,
        n_members=raw.get("n_members", "—"), n_non_members=raw.get("n_non_members", "—"), assessment=assessment,
    )


def _signed(value: float | None) -> str:
    return "—" if value is None else fmt.signed(value)


def _inversion_row(target: InversionView | None, controls: list[InversionView],
                   level: Assessment | None) -> list[SummaryRow]:
    if target is None:
        return []
    recovered = (f" <span class='muted'>({target.classes_recovered} / {target.n_classes} classes recovered)</span>"
                 if target.classes_recovered is not None and target.n_classes else "")
    control = f"chance {fmt.pct(target.chance)}" if target.chance is not None else ""
    for c in controls:
        label = "untrained model" if c.role == "untrained" else "model trained without the members"
        control += f"{'; ' if control else ''}{label} {c.accuracy.text}"
    if not any(c.role == "null" for c in controls):
        control += (f"{'; ' if control else ''}<span class='muted'>no model trained without the members was "
                    "inverted, so class-level and member-specific content cannot be told apart</span>")
    return [SummaryRow(
        question="reconstruction", assessment=level,
        evidence=f"Class inversion: evaluation accuracy {target.accuracy.text}{recovered}",
        control=control, link="inversion-class", headline="Overall reconstruction risk",
        meaning=RECONSTRUCTION_MEANING[level.level] if level else "",
    )]


def _attribute_row(views: list[AttributeView]) -> list[SummaryRow]:
    audited = [v for v in views if v.role == "target"] or views
    if not audited:
        return []
    verdict = overall(v.assessment for v in audited if v.assessment is not None)
    worst = max(audited, key=lambda v: v.lift_members if v.lift_members is not None else float("-inf"))
    evidence = (f"{worst.attribute}: members {worst.members.text}, {_signed(worst.lift_members)} over imputation")
    if worst.imputation_only:
        evidence += f" <span class='muted'>({IMPUTATION_NOTE})</span>"
    return [SummaryRow(
        question=ATTRIBUTE_QUESTION, assessment=verdict, evidence=evidence,
        control=f"imputation {worst.baseline_members.text}", link="inversion-attribute",
    )]


class InversionSection:
    """Class inversion (with its PNG grids) and attribute inference against imputation."""

    key = "inversion"
    title = "Model inversion and attribute inference"
    order = 45

    def applies(self, inputs: ReportInputs) -> bool:
        return "inversion" in inputs.extras or "attribute_inference" in inputs.extras

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        raw_inversion = inputs.extras.get("inversion", {}).get("results", [])
        inversions = [inversion_view(r, inputs.base) for r in raw_inversion]
        target = next((v for v in inversions if v.role == "target"), None)
        controls = [v for role in CONTROL_ROLES for v in inversions if v.role == role]
        level = inversion_assessment(target, controls) if target is not None else None
        attributes = [attribute_view(role, r) for role, rs in inputs.extras.get("attribute_inference", {}).items()
                      for r in rs]
        body = env.get_template("inversion.html.j2").render(
            inversions=inversions, target=target, controls=controls, level=level, attributes=attributes,
            roles=list(dict.fromkeys(v.role for v in attributes)), signed=_signed, role_names=ROLE_NAMES,
        )
        appendix = env.get_template("inversion_appendix.html.j2").render(
            inversion=INVERSION_THRESHOLDS, attribute=ATTRIBUTE_THRESHOLDS, names=FIGURE_NAMES, units=FIGURE_UNITS,
            sources=[f if inputs.from_file(f) else f"results.json ({k.replace('_', ' ')})"
                     for f, k in ((INVERSION_FILE, "inversion"), (ATTRIBUTE_INFERENCE_FILE, "attribute_inference"))
                     if k in inputs.extras],
            seeds=sorted({str(v.seed) for v in inversions}),
        )
        toc = [("inversion-class", "Class inversion")] if inversions else []
        toc += [("inversion-attribute", "Attribute inference")] if attributes else []
        summary = [*_inversion_row(target, controls, level), *_attribute_row(attributes)]
        parts = [f"class inversion of {len(inversions)} model(s)"] if inversions else []
        parts += [f"attribute inference of {len(dict.fromkeys(v.attribute for v in attributes))} attribute(s)"
                  ] if attributes else []
        overview = f"<p><b>Model inversion:</b> {', '.join(parts)}.</p>"
        return SectionContent(self.key, self.title, body, summary, appendix, toc, overview, HOW)


register_section(InversionSection)
