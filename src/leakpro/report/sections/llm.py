"""Language models: membership inference on a causal LM, the blind baseline beside it, canary exposure.

Drawn from ``llm_results.json``. Page one gets one row: the worst attack on the target decides the level (each end
of its interval the worst over attacks at that end), the null control's worst attack beside it; when the blind
baseline separates members from non-members as well as the attacks do, the row says the split, not the model, is
leaking.
"""

from __future__ import annotations

import jinja2

from leakpro.metrics.roc import resolves
from leakpro.report import fmt
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import MEMBERSHIP_THRESHOLDS, Assessment, assess, assess_simultaneous, overall
from leakpro.report.sections.base import SectionContent, SummaryRow, register_section
from leakpro.results.llm import LLMAuditResult, LMAttackResult, LMTargetResult

LLM_QUESTION = "Language model — membership: can an attacker tell which texts the model was trained on?"


def attack_assessment(a: LMAttackResult) -> Assessment:
    op = next(p for p in a.tpr_at_fpr if abs(p.fpr_level - 0.01) < 1e-12)
    point, low, high = {"auc": a.auc.value}, {"auc": a.auc.low}, {"auc": a.auc.high}
    if resolves(op.non_members, 0.01):  # with fewer non-members "TPR at 1 % FPR" says nothing about 1 %
        point["tpr@1%"], low["tpr@1%"], high["tpr@1%"] = op.tpr.value, op.tpr.low, op.tpr.high
    return assess(MEMBERSHIP_THRESHOLDS, point, low, high, a.attack, a.auc.value)


def model_assessment(model: LMTargetResult) -> tuple[Assessment | None, LMAttackResult | None]:
    """A model's level: its strongest attack read at the lower ends of the simultaneous intervals (results written
    before those were recorded: at the point estimates, which picking the strongest attack inflates)."""
    if model.simultaneous is not None:
        verdict = assess_simultaneous(model.simultaneous, [a.attack for a in model.attacks])
    else:
        verdict = overall(attack_assessment(a) for a in model.attacks)
    worst = next((a for a in model.attacks if verdict is not None and a.attack == verdict.source), None)
    return verdict, worst


def _row(result: LLMAuditResult) -> list[SummaryRow]:
    target = next((m for m in result.models if m.role == "target"), None)
    if target is None:
        return []
    verdict, worst = model_assessment(target)
    evidence = (f"{worst.title}: AUC {fmt.auc(worst.auc.value)} {fmt.interval_auc(worst.auc.low, worst.auc.high)}"
                if worst else "")
    blind = result.blind_baseline
    if blind is not None and blind.matches_attacks:
        evidence += (f" <b>— but the split, not the model, is leaking</b>: the texts alone reach AUC "
                     f"{fmt.auc(blind.auc.value)} {fmt.interval_auc(blind.auc.low, blind.auc.high)}")
    null = next((m for m in result.models if m.role == "null"), None)
    control = ""
    if null is not None:
        nv, nw = model_assessment(null)
        if nv is not None and nw is not None:
            control = (f"{nv.level.label}: null model's strongest attack AUC {fmt.auc(nw.auc.value)} "
                       f"{fmt.interval_auc(nw.auc.low, nw.auc.high)}")
    return [SummaryRow(question=LLM_QUESTION, assessment=verdict, evidence=evidence, control=control, link="llm")]


class LLMSection:
    """Membership inference on a causal language model (MIMIR-style attacks, blind baseline, canaries)."""

    key = "llm"
    title = "Language model: which texts was it trained on?"
    order = 14

    def applies(self, inputs: ReportInputs) -> bool:
        return "llm" in inputs.extras

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        result = LLMAuditResult.model_validate(inputs.extras["llm"])
        levels = {m.role: model_assessment(m)[0] for m in result.models}
        body = env.get_template("llm.html.j2").render(r=result, levels=levels)
        overview = (f"<p><b>Language model:</b> {result.candidates} candidate texts ({result.members} members), "
                    f"{len(result.models[0].attacks) if result.models else 0} attacks on "
                    f"{' and '.join(m.role for m in result.models)}"
                    f"{', a blind baseline' if result.blind_baseline else ''}"
                    f"{', canary exposure' if result.canaries else ''}.</p>")
        toc = [("llm-attacks", "Attacks on the target and the null")]
        toc += [("llm-blind", "Blind baseline")] if result.blind_baseline else []
        toc += [("llm-canaries", "Canary exposure")] if result.canaries else []
        return SectionContent(self.key, self.title, body, _row(result), "", toc, overview)


register_section(LLMSection)
