"""The membership-inference section: per-attack evidence, comparisons, who leaks, and page one's verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import escape

from leakpro.report import figures, fmt
from leakpro.report.curves import most_exposed_members
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import (
    FIGURE_NAMES,
    MEMBERSHIP_THRESHOLDS,
    Assessment,
    assess_target,
    membership_figures,
    selection_note,
    simultaneous_figures,
)
from leakpro.report.sections.base import SectionContent, SummaryRow, register_section
from leakpro.report.sections.membership_attack import AttackView, ExposedRow, build_attack_view, features_of
from leakpro.report.text import LEVEL_MEANING, MEMBERSHIP_HOW, THREAT_MODELS
from leakpro.results.types import AttackResult, AuditResult, TargetResult

EXPOSED_LEVEL = 0.01  # "who leaks": members flagged at FPR ≤ 1 %
EXPOSED_K = 15


@dataclass(frozen=True)
class TargetView:
    """One audited target: its attacks, their comparison, and the members most exposed across attacks."""

    target: TargetResult
    null: TargetResult | None
    assessment: Assessment | None
    null_assessment: Assessment | None
    attacks: list[AttackView]
    comparison: figures.Figure
    exposed: list[ExposedRow]
    selection: str = ""  # how the overall level accounts for picking the strongest attack


def audited_and_null(result: AuditResult) -> tuple[list[TargetResult], TargetResult | None]:
    """The audited targets and the (first) null control."""
    audited = [t for t in result.targets if t.role == "target"]
    null = next((t for t in result.targets if t.role == "null"), None)
    return audited, null


ROLE_NAMES = {"target": "audited", "null": "null control", "defence": "defended variant"}


def epsilon_bound(attack: AttackResult) -> float | None:
    """The attack's heuristic ε figure (not a DP lower bound), when the audit computed one."""
    bound = getattr(attack, "epsilon_heuristic", None)
    value = getattr(bound, "epsilon", None)
    return float(value) if value is not None else None


def target_row(target: TargetResult) -> dict[str, object]:
    """One row of the across-targets table: role, level, best AUC, ε figures when present."""
    bounds = [b for b in (epsilon_bound(a) for a in target.attacks) if b is not None]
    privacy = getattr(target, "privacy", None) or {}
    defence = getattr(target, "defence", None)
    return {
        "target": target, "role": ROLE_NAMES.get(target.role, target.role), "assessment": target_assessment(target),
        "best_auc": max((a.auc.value for a in target.attacks), default=None),
        "epsilon_bound": max(bounds) if bounds else None,
        "accountant_epsilon": privacy.get("epsilon") if isinstance(privacy, dict) else None,
        "defence": ", ".join(f"{k}: {v}" for k, v in defence.items()) if isinstance(defence, dict) else "",
    }


def has_defence_results(result: AuditResult | None) -> bool:
    """Whether the defences section shows the targets side by side (then the across-targets table is left out)."""
    return result is not None and bool(result.risk_utility or result.one_run)


def target_assessment(target: TargetResult | None) -> Assessment | None:
    """The worst attack's level, with its interval, for one target (see :func:`assess_target`)."""
    return assess_target(target) if target else None


def _triples(attacks: list[AttackResult], level: float | None) -> list[tuple[float, float, float]]:
    out = []
    for a in attacks:
        if level is None:
            out.append((a.auc.value, a.auc.low, a.auc.high))
            continue
        op = next(p for p in a.tpr_at_fpr if abs(p.fpr_level - level) < 1e-12)
        out.append((op.tpr.value, op.tpr.low, op.tpr.high))
    return out


def _comparison(target: TargetResult, null: TargetResult | None) -> figures.Figure:
    ids = [a.id for a in target.attacks]
    null_by_id = {a.id: a for a in null.attacks} if null else {}
    paired = [null_by_id[i] for i in ids if i in null_by_id]
    null_ok = bool(paired) and len(paired) == len(ids)
    level = fmt.level_pct(EXPOSED_LEVEL)
    return figures.comparison_figure(ids, [
        figures.Panel("AUC (0.5 = guessing)", _triples(target.attacks, None),
                      _triples(paired, None) if null_ok else None, chance=0.5),
        figures.Panel(f"TPR at FPR ≤ {level} (log scale; {level} = guessing)",
                      _triples(target.attacks, EXPOSED_LEVEL),
                      _triples(paired, EXPOSED_LEVEL) if null_ok else None, chance=EXPOSED_LEVEL, log=True),
    ])


def build_target_view(inputs: ReportInputs, target: TargetResult, null: TargetResult | None) -> TargetView:
    """All views of one audited target."""
    null_by_id = {a.id: a for a in null.attacks} if null else {}
    views = [build_attack_view(inputs, target, a, null_by_id.get(a.id), null) for a in target.attacks]
    table = inputs.target_scores(target)
    exposed = [ExposedRow(r, features_of(inputs.frame, r.record))
               for r in most_exposed_members(table, target.attacks, EXPOSED_LEVEL, EXPOSED_K)]
    return TargetView(target, null, target_assessment(target), target_assessment(null), views,
                      _comparison(target, null), exposed, selection_note(target))


def _evidence(assessment: Assessment | None, target: TargetResult | None) -> str:
    if assessment is None or target is None:
        return ""
    attack = next(a for a in target.attacks if a.id == assessment.source)
    point, low, high = simultaneous_figures(target, attack.id) or membership_figures(attack)
    figure = assessment.reason.figure if assessment.reason else "auc"
    if figure == "auc":
        value = f"{fmt.auc(point[figure])} {fmt.interval_auc(low[figure], high[figure])}"
    else:
        value = f"{fmt.pct(point[figure])} {fmt.interval_pct(low[figure], high[figure])}"
    return f"{FIGURE_NAMES[figure]} {value} <span class='muted'>({escape(attack.id)})</span>"


def no_null_control(config: dict[str, Any]) -> str:
    """Page one's "what no leakage looks like" for an audit without a null control: why there is none, how to get
    one, and what to compare with meanwhile (chance)."""
    target = config.get("target")
    trained = isinstance(target, dict) and bool(target.get("train"))
    chance = "Meanwhile compare with chance: AUC 0.5, TPR equal to FPR."
    if trained:
        return ("<span class='muted'>No null control was trained in this audit: add <code>null_target: true</code> to "
                "the config and LeakPro also trains a model like this one without the candidate members, and "
                f"attacks it the same way. {chance}</span>")
    return ("<span class='muted'>No null control: this model was supplied, not trained by LeakPro, so there is no "
            "copy of it that never saw the members. To get one, let LeakPro train the model from a recipe "
            f"(<code>target.train: true</code> with <code>null_target: true</code>). {chance}</span>")


def _overview(result: AuditResult, audited: list[TargetResult], null: TargetResult | None) -> str:
    threats = sorted({a.threat_model for t in audited for a in t.attacks})
    models = "; ".join(f"<b>{escape(t.name)}</b>: {escape(t.description)}" for t in audited)
    control = (f" A <b>null control</b> — {escape(null.description)} — was trained without any candidate record and "
               "attacked the same way: it shows what no leakage looks like." if null else "")
    d = result.data
    return (
        f"<p><b>Model(s) audited:</b> {models}. <b>Data:</b> {escape(d.name)}, {d.n_candidates:,} candidate records "
        f"({d.n_members:,} secretly in the training data, {d.n_candidates - d.n_members:,} not); the attacker "
        f"also held {d.n_population:,} population records known not to be members.{control}</p>"
        f"<p><b>Threat model:</b> {'; '.join(THREAT_MODELS.get(t, t) for t in threats)}. "
        f"{sum(len(t.attacks) for t in audited)} attack runs were made.</p>"
    )


class MembershipSection:
    """Membership inference against every audited target, beside the null control."""

    key = "membership"
    title = "Membership inference"
    order = 10

    def applies(self, inputs: ReportInputs) -> bool:
        return inputs.result is not None and any(t.attacks for t in inputs.result.targets)

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        result = inputs.audit
        audited, null = audited_and_null(result)
        views = [build_target_view(inputs, t, null) for t in audited]
        first = views[0] if views else None
        summary = [SummaryRow(
            question="membership",
            assessment=first.assessment if first else None,
            evidence=_evidence(first.assessment, first.target) if first else "",
            control=(f"{first.null_assessment.level.label}: {_evidence(first.null_assessment, null)}"
                     if first and first.null_assessment else no_null_control(result.config) if first else ""),
            link="membership",
            headline="Overall membership risk",
            meaning=LEVEL_MEANING[first.assessment.level] if first and first.assessment else "",
        )]
        body = env.get_template("membership.html.j2").render(
            result=result, targets=views, target_rows=[target_row(t) for t in result.targets], meaning=LEVEL_MEANING,
            exposed_level=EXPOSED_LEVEL, prior=result.data.member_prior, has_frame=inputs.frame is not None,
            defences_shown=has_defence_results(result),
        )
        appendix = env.get_template("membership_appendix.html.j2").render(
            thresholds=MEMBERSHIP_THRESHOLDS, names=FIGURE_NAMES)
        toc = [(v.anchor, f"{v.attack.title} ({v.attack.id})") for tv in views for v in tv.attacks]
        return SectionContent(self.key, self.title, body, summary, appendix, toc, _overview(result, audited, null),
                              MEMBERSHIP_HOW)


register_section(MembershipSection)
