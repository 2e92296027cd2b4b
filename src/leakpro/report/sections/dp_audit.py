"""DP-SGD audit: white-box gradient-canary ε lower bounds beside the claimed ε (``dp_audit`` of results.json).

One table row per audited recipe (the configured one, then any planted bug run as a self-test) and per bound,
with what the auditor observed, the guesses behind the bound, and "claim violated" only where a lower bound lies
above the claimed ε. The assumptions of each audit are listed under the table, as results.json states them.
"""

from __future__ import annotations

import jinja2

from leakpro.report.inputs import ReportInputs
from leakpro.report.sections.base import SectionContent, register_section
from leakpro.results.dp_audit import DPAuditResult

OBSERVED = {"every_update": "every update", "final_model": "final model only"}
ANALYSIS = {"one_run": "one run (Steinke et al.)", "one_run_fdp": "one run, f-DP of (ε, δ) (Mahloujifar et al.)",
            "one_run_gdp": "one run, Gaussian DP (Mahloujifar et al.)",
            "one_run_pooled": "one run, pooled over runs (Steinke et al.)",
            "one_run_pooled_fdp": "one run, pooled, f-DP of (ε, δ)",
            "one_run_pooled_gdp": "one run, pooled, Gaussian DP",
            "multi_run": "multi-run Clopper–Pearson"}


def _overview(audits: list[DPAuditResult]) -> str:
    configured = [a for a in audits if a.mechanism == "as configured"]
    violated = [a.variant for a in configured if a.claim_violated]
    verdict = (f"<b>claim violated</b> for {', '.join(violated)}" if violated
               else "no claimed ε contradicted")
    bugs = [a for a in audits if a.mechanism != "as configured"]
    caught = f"; planted bugs caught: {sum(a.claim_violated for a in bugs)} of {len(bugs)}" if bugs else ""
    return (f"<p><b>DP-SGD audit:</b> white-box gradient canaries on {len(configured)} DP recipe(s): "
            f"{verdict}{caught}.</p>")


class DPAuditSection:
    """White-box canary audits of DP-SGD recipes (Steinke, Nasr & Jagielski 2023)."""

    key = "dp_audit"
    title = "DP-SGD audit: does the training keep its ε?"
    order = 16

    def applies(self, inputs: ReportInputs) -> bool:
        return inputs.result is not None and bool(inputs.result.dp_audit)

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        audits = list(inputs.audit.dp_audit)
        body = env.get_template("dp_audit.html.j2").render(audits=audits, observed=OBSERVED, analysis=ANALYSIS)
        return SectionContent(self.key, self.title, body, [], "", [("dp-audit-table", "Lower bounds per recipe")],
                              _overview(audits))


register_section(DPAuditSection)
