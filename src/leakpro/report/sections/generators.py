"""Generator audit section, drawn from ``generator_results.json``: per generator, the shadow-modelling MIA verdict,
the most exposed records (beside DCR and DOMIAS on the same evaluation tables, and random targets for
comparison) and, for a generator that states a DP ε, the ε lower bounds beside the claim.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup, escape

from leakpro.report.inputs import ReportInputs
from leakpro.report.sections.base import SectionContent, register_section
from leakpro.synthetic.generator_results import AttackFigures, GeneratorAudit, GeneratorAuditResults, TargetExposure

MOST_EXPOSED = 5


def _auc(f: AttackFigures) -> str:
    return f"{f.auc.value:.2f} [{f.auc.low:.2f}, {f.auc.high:.2f}]"


def _tpr(f: AttackFigures) -> str:
    return f"{f.tpr_at_1pct.value:.0%} [{f.tpr_at_1pct.low:.0%}, {f.tpr_at_1pct.high:.0%}]"


def _diff(t: TargetExposure) -> str:
    d = t.shadow_minus_dcr
    text = f"{d.value:+.2f} [{d.low:+.2f}, {d.high:+.2f}]"
    return f"<b>{text}</b>" if t.beats_dcr else text


def _record(values: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in list(values.items())[:8])


def _targets_table(audit: GeneratorAudit) -> str:
    rows = sorted(audit.targets, key=lambda t: -t.shadow.auc.value)[:MOST_EXPOSED]
    body = "".join(
        f"<tr><td>{t.record}</td><td>{escape(t.chosen)}</td><td>{t.vulnerability:.2f}</td>"
        f"<td>{escape(_record(t.values))}</td><td><b>{_auc(t.shadow)}</b></td><td>{_tpr(t.shadow)}</td>"
        f"<td>{_auc(t.dcr)}</td><td>{_diff(t)}</td><td>{_auc(t.domias)}</td>"
        f"<td>{'exposed' if t.exposed else '—'}</td></tr>"
        for t in rows)
    return ("<table class='sortable'><thead><tr><th>record</th><th>chosen</th><th>isolation</th><th>values</th>"
            "<th>shadow AUC [95%]</th><th>TPR@1% FPR</th><th>DCR AUC</th><th>shadow − DCR (paired)</th>"
            "<th>DOMIAS AUC</th><th></th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _epsilon_table(audit: GeneratorAudit) -> str:
    if not audit.epsilon:
        return "<p>No DP claim stated: no ε audit.</p>"
    body = "".join(
        f"<tr><td>{e.stated_epsilon:g}</td><td><b>{e.epsilon_lower:.2f}</b></td><td>{e.ceiling:.2f}</td>"
        f"<td>{e.record}</td><td>{e.train_runs} / {e.threshold_runs} / {e.counted_runs}</td>"
        f"<td>{e.successes}/{e.trials} vs {e.errors}/{e.error_trials} ({escape(e.direction)})</td><td>{e.seed}</td>"
        f"<td>{'<b>claim violated</b>' if e.violated else 'not contradicted'}</td></tr>"
        for e in audit.epsilon)
    return ("<table><thead><tr><th>stated ε</th><th>ε lower bound</th><th>ceiling</th><th>record</th>"
            "<th>runs: train / threshold / counted</th><th>counts</th><th>seed</th><th>verdict</th></tr></thead>"
            f"<tbody>{body}</tbody></table><p class='note'>Each run fits the generator afresh on one fixed D or "
            "D ∪ {x}; the threshold is chosen on runs apart from those counted (Clopper–Pearson, confidence "
            f"{audit.epsilon[0].confidence:.0%}). The ceiling is the largest bound these counts could show.</p>")


def _generator(audit: GeneratorAudit) -> str:
    notes = "".join(f"<li>{escape(n)}</li>" for n in audit.notes)
    return (f"<h3 id='gen-{escape(audit.generator)}'>{escape(audit.generator)}</h3><p><b>{escape(audit.verdict)}</b>"
            f"</p><h4>Most exposed records</h4>{_targets_table(audit)}<h4>DP claim</h4>{_epsilon_table(audit)}"
            f"<ul class='note'>{notes}</ul>")


class GeneratorSection:
    """Shadow-modelling MIA on generators (Stadler et al. 2022; Houssiau et al. 2022; Meeus et al. 2023) and
    ε lower bounds for DP generators (Annamalai et al. 2024)."""

    key = "generators"
    title = "Synthetic-data generators: do they expose the records they were fit on?"
    order = 41

    def applies(self, inputs: ReportInputs) -> bool:
        return "generators" in inputs.extras

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        results = GeneratorAuditResults.model_validate(inputs.extras["generators"])
        intro = ("<p>The attacker knows the generator and holds records from the same population. For each target "
                 "record it runs the generator on shadow tables with and without the record, learns to tell the "
                 "synthetic outputs apart, and is scored on fresh tables it never trained on. Worst-case targets "
                 "are the most isolated records (mean distance to their nearest neighbours); random targets show "
                 "the typical record. DCR and DOMIAS are scored on the very same tables.</p>")
        body = Markup(intro + "".join(_generator(a) for a in results.audits))
        toc = [(f"gen-{a.generator}", a.generator) for a in results.audits]
        return SectionContent(self.key, self.title, str(body), [], "", toc, _overview(results))


def _overview(results: GeneratorAuditResults) -> str:
    leaky = [a.generator for a in results.audits if any(t.exposed for t in a.targets)]
    violated = [a.generator for a in results.audits if any(e.violated for e in a.epsilon)]
    parts: list[Any] = [f"{len(results.audits)} generator(s) audited by shadow modelling"]
    parts.append(f"membership shown for {', '.join(leaky)}" if leaky else "no membership shown")
    if violated:
        parts.append(f"<b>DP claim violated</b> for {', '.join(violated)}")
    return f"<p><b>Generator audit:</b> {escape('; '.join(str(p) for p in parts[:2]))}" + (
        f"; {parts[2]}" if len(parts) > 2 else "") + ".</p>"


register_section(GeneratorSection)
