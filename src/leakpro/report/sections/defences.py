"""Defences: risk before and after, from ``risk_utility`` and ``one_run`` of results.json (issue 7).

Every defended variant was trained on the same members (or answers through a changed API) and attacked the same
way as the audited model. The section plots utility (test accuracy) against risk (the strongest attack's TPR at
1 % FPR with its interval), tabulates both beside the heuristic ε figure, the one-run ε lower bound and the DP
accountant's ε, and shows the canary one-run audits. It is the one place where targets are compared (the
membership section then leaves its across-targets table out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from leakpro.report import figures, fmt
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import Assessment
from leakpro.report.sections.base import SectionContent, register_section
from leakpro.report.sections.membership import ROLE_NAMES, has_defence_results, target_assessment
from leakpro.report.text import EPSILON_NOTE, ONE_RUN_NOTE
from leakpro.results.types import AuditResult, OneRunResult, RiskUtility, TargetResult

RISK_LEVEL = 0.01  # risk_utility's figure: TPR at FPR ≤ 1 %

_RECIPE_WORDS = {
    "weight_decay": "L2 weight decay {}", "epochs": "{} epochs", "label_smoothing": "label smoothing {}",
    "batch_size": "batch size {}", "lr": "learning rate {}", "dropout": "dropout {}",
}
_DP_WORDS = {
    "target_epsilon": "target ε {}", "noise_multiplier": "noise multiplier {}", "max_grad_norm": "clipping norm {}",
    "delta": "δ {}",
}


def _words(items: dict[str, Any], words: dict[str, str]) -> list[str]:
    return [words.get(k, k.replace("_", " ") + " {}").format(fmt.plain(v)) for k, v in items.items()
            if v is not None and not isinstance(v, dict)]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def describe_defence(target: TargetResult | None) -> str:
    """The defence of a variant in words, from its configured ``recipe`` and ``output`` changes."""
    if target is None:
        return ""
    if target.role == "target":
        return "none (the model as trained)"
    if target.role == "null":
        return "trained without the candidate members"
    spec = target.defence or {}
    recipe = _mapping(spec.get("recipe"))
    parts: list[str] = []
    if recipe.get("dp") is not None:
        parts.append("DP-SGD (" + ", ".join(_words(_mapping(recipe["dp"]), _DP_WORDS)) + ")")
    parts += _words(_mapping(recipe.get("params")), _RECIPE_WORDS)
    parts += _words({k: v for k, v in recipe.items() if k not in ("dp", "params")}, _RECIPE_WORDS)
    output = _mapping(spec.get("output"))
    if output.get("top_k"):
        parts.append(f"API returns only the top {output['top_k']} score(s)")
    if output.get("round") is not None:
        parts.append(f"API rounds scores to {output['round']} decimal(s)")
    if output.get("labels_only"):
        parts.append("API returns labels only")
    return "; ".join(parts) or "as configured (see the appendix)"


@dataclass(frozen=True)
class DefenceRow:
    """One target or variant: utility, risk, ε figures and level."""

    row: RiskUtility
    target: TargetResult | None
    role: str
    defence: str
    assessment: Assessment | None
    accountant_delta: float | None
    exceeds: bool  # a sound lower bound (one-run audit) lies above the accountant's ε: the DP promise does not hold


def defence_rows(result: AuditResult) -> list[DefenceRow]:
    """The risk–utility rows of results.json, each beside its target's details."""
    by_name = {t.name: t for t in result.targets}
    rows = []
    for r in result.risk_utility:
        target = by_name.get(r.target)
        privacy = (target.privacy if target else None) or {}
        rows.append(DefenceRow(
            row=r, target=target, role=ROLE_NAMES.get(r.role, r.role), defence=describe_defence(target),
            assessment=target_assessment(target), accountant_delta=privacy.get("delta"),
            exceeds=any(one_run_exceeds(run) for run in result.one_run if run.variant == r.target),
        ))
    return rows


def bound_settings(result: AuditResult) -> list[tuple[float, float]]:
    """The distinct (δ, confidence) of the attacks' heuristic ε figures."""
    pairs = {(b.delta, b.confidence) for t in result.targets for a in t.attacks
             if (b := a.epsilon_heuristic) is not None}
    return sorted(pairs)


def risk_utility_plot(rows: list[DefenceRow]) -> figures.Figure | None:
    """The risk–utility figure; ``None`` when no row has a test accuracy."""
    points = [figures.RiskPoint(d.row.target, d.row.role, d.row.test_accuracy,
                                (d.row.tpr_at_1pct_fpr.value, d.row.tpr_at_1pct_fpr.low, d.row.tpr_at_1pct_fpr.high))
              for d in rows if d.row.test_accuracy is not None]
    if not points:
        return None
    return figures.risk_utility_figure(points, chance=RISK_LEVEL,
                                       ylabel=f"risk: TPR at FPR ≤ {fmt.level_pct(RISK_LEVEL)} (log scale)")


def one_run_exceeds(run: OneRunResult) -> bool:
    """The one-run lower bound lies above the accountant's ε."""
    return run.accountant_epsilon is not None and run.epsilon_lower_bound > run.accountant_epsilon


def _overview(rows: list[DefenceRow], runs: list[OneRunResult]) -> str:
    variants = [d.row.target for d in rows if d.row.role == "defence"]
    parts = []
    if variants:
        parts.append(f"{len(variants)} defended variant(s) re-tested with the same attacks ({', '.join(variants)})")
    if runs:
        parts.append(f"a canary one-run audit of {len(runs)} training recipe(s)")
    return f"<p><b>Defences:</b> {'; '.join(parts)}.</p>" if parts else ""


class DefencesSection:
    """Defended variants beside the audited model and the null control; ε lower bounds; one-run audits."""

    key = "defences"
    title = "Defences: risk before and after"
    order = 15

    def applies(self, inputs: ReportInputs) -> bool:
        return has_defence_results(inputs.result)

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        result = inputs.audit
        rows = defence_rows(result)
        runs = list(result.one_run)
        body = env.get_template("defences.html.j2").render(
            rows=rows, plot=risk_utility_plot(rows), level=RISK_LEVEL, settings=bound_settings(result),
            epsilon_note=EPSILON_NOTE, one_run_note=ONE_RUN_NOTE, runs=runs,
            run_exceeds=[one_run_exceeds(r) for r in runs],
            show_accountant=any(d.row.accountant_epsilon is not None for d in rows),
        )
        toc = [("defences-table", "Risk and utility per variant")] if rows else []
        toc += [("one-run", "One-run canary audit")] if runs else []
        return SectionContent(self.key, self.title, body, [], "", toc, _overview(rows, runs))


register_section(DefencesSection)
