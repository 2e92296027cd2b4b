"""Federated learning: what a curious server reconstructs from one update, what a curious client learns (issue 5).

Drawn from ``federated_results.json`` and the PNG grids it names (originals above, reconstructions below). It
answers page one's *reconstruction* question, and adds a row for the curious client's membership inference.
"""

from __future__ import annotations

import jinja2

from leakpro.federated.results import LEAK_MARGIN_COLUMNS, LEAK_MARGIN_DB, FederatedAuditResult
from leakpro.report import fmt
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import FIGURE_NAMES, FIGURE_UNITS, RECONSTRUCTION_THRESHOLDS, overall
from leakpro.report.sections.base import SectionContent, SummaryRow, register_section
from leakpro.report.sections.federated_views import (
    OutcomeView,
    attack_name,
    client_assessment,
    control,
    evidence,
    outcome_view,
    sweep_grid,
)
from leakpro.report.text import RECONSTRUCTION_HOW, RECONSTRUCTION_MEANING

ALGORITHMS = {"fedsgd": "FedSGD", "fedavg": "FedAvg"}
CLIENT_QUESTION = ("Federated learning — membership: can a participating client tell whose records the other "
                   "clients trained on?")


def _reconstruction_row(views: list[OutcomeView]) -> SummaryRow:
    verdict = overall(v.assessment for v in views if v.assessment is not None)
    worst = next((v for v in views if verdict is not None and v.assessment is not None
                  and v.outcome.attack == verdict.source and v.assessment.level == verdict.level), None)
    return SummaryRow(
        question="reconstruction", assessment=verdict, evidence=evidence(worst) if worst else "",
        control=control(worst) if worst else "", link="federated", headline="Overall reconstruction risk",
        meaning=RECONSTRUCTION_MEANING[verdict.level] if verdict else "",
    )


def _client_row(result: FederatedAuditResult) -> list[SummaryRow]:
    mia = result.client_mia
    if mia is None:
        return []
    null = client_assessment(mia, null=True)
    return [SummaryRow(
        question=CLIENT_QUESTION, assessment=client_assessment(mia),
        evidence=f"AUC {fmt.auc(mia.auc)} {fmt.interval_auc(mia.auc_low, mia.auc_high)} "
                 f"<span class='muted'>({mia.rounds} global models seen)</span>",
        control=f"{null.level.label}: null control AUC {fmt.auc(mia.null_auc)} "
                f"{fmt.interval_auc(mia.null_auc_low, mia.null_auc_high)}",
        link="federated-client",
    )]


def _overview(result: FederatedAuditResult, views: list[OutcomeView]) -> str:
    s = views[0].outcome.setting if views else None
    setting = (f" ({s.clients} clients, {ALGORITHMS.get(s.algorithm, s.algorithm)}, {s.batch_size} record(s) and "
               f"{s.local_steps} local step(s) on the attacked client)" if s else "")
    parts = [f"a curious server attacked one update ({', '.join(dict.fromkeys(v.name for v in views))})"]
    parts += [f"{len(result.defences)} defence(s) re-tested"] if result.defences else []
    parts += [f"{len(result.sweep)} sweep settings"] if result.sweep else []
    parts += ["a curious client's membership inference"] if result.client_mia is not None else []
    return (f"<p><b>Federated learning:</b> a simulated run of <b>{result.model}</b> on <b>{result.data}</b>{setting}: "
            f"{', '.join(parts)}.</p>")


class FederatedSection:
    """Curious server (reconstructions, defences, sweep) and curious client (membership), with the PNG grids."""

    key = "federated"
    title = "Federated learning"
    order = 40

    def applies(self, inputs: ReportInputs) -> bool:
        return inputs.federated is not None

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        result = inputs.federated
        if result is None:
            raise ValueError("the federated section needs federated_results.json")
        views = [outcome_view(o, inputs.base) for o in result.attacks]
        defences = [outcome_view(o, inputs.base) for o in result.defences]
        sweep = [outcome_view(o, inputs.base) for o in result.sweep]
        mia = result.client_mia
        body = env.get_template("federated.html.j2").render(
            result=result, views=views, defences=defences, reference=views[0] if views and defences else None,
            grid=sweep_grid(sweep) if sweep else None, sweep=sweep, mia=mia,
            mia_level=client_assessment(mia) if mia else None,
            null_level=client_assessment(mia, null=True) if mia else None,
            margin_db=LEAK_MARGIN_DB, margin_columns=LEAK_MARGIN_COLUMNS, name=attack_name,
            papers=list(dict.fromkeys((attack_name(o.attack), o.paper) for o in result.attacks)),
        )
        appendix = env.get_template("federated_appendix.html.j2").render(
            result=result, thresholds=RECONSTRUCTION_THRESHOLDS, names=FIGURE_NAMES, units=FIGURE_UNITS,
            config_text=fmt.config_text(result.config),
        )
        toc = [("federated-server", "Curious server: reconstructions")]
        toc += [("federated-defences", "Defences re-tested")] if defences else []
        toc += [("federated-sweep", "Batch size × local steps")] if sweep else []
        toc += [("federated-client", "Curious client: membership")] if mia else []
        summary = [_reconstruction_row(views), *_client_row(result)]
        return SectionContent(self.key, self.title, body, summary, appendix, toc, _overview(result, views),
                              RECONSTRUCTION_HOW)


register_section(FederatedSection)
