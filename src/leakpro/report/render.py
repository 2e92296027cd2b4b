"""Assemble the report: page one from every section's summary, then the sections, then the appendix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from leakpro.report import fmt
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import RiskLevel
from leakpro.report.sections import QUESTIONS, SectionContent, SummaryRow, registered_sections
from leakpro.report.text import GDPR_NOTE, LEVEL_MEANING
from leakpro.results.types import AuditResult

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> jinja2.Environment:
    """The Jinja environment: templates of this package, autoescaping, the report's number filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(fmt.FILTERS)
    env.globals["RiskLevel"] = RiskLevel
    return env


def _summary_rows(contents: list[SectionContent]) -> list[tuple[str, SummaryRow | None]]:
    """Page one's risk table: every question in order, answered or not, then any extra rows."""
    answered: dict[str, SummaryRow] = {}
    for row in (row for c in contents for row in c.summary):  # two sections on one question: the worse decides
        kept = answered.get(row.question)
        if kept is None or (row.assessment is not None and (
                kept.assessment is None or (row.assessment.level, row.assessment.high)
                > (kept.assessment.level, kept.assessment.high))):
            answered[row.question] = row
    rows: list[tuple[str, SummaryRow | None]] = [(text, answered.get(key)) for key, text in QUESTIONS.items()]
    rows += [(row.question, row) for key, row in answered.items() if key not in QUESTIONS]
    return rows


@dataclass(frozen=True)
class Masthead:
    """The page frame's facts, from whichever result files are present."""

    title: str
    date: str  # "" when no result file records one
    version: str
    config_hash: str
    sources: str  # the result files read, for the colophon


def masthead(inputs: ReportInputs) -> Masthead:
    """Title, date, version and config hash: from results.json, else from the federated or synthetic results."""
    sources = ", ".join(inputs.sources)
    if inputs.result is not None:
        r = inputs.result
        return Masthead(str(r.config.get("name") or r.data.name), r.created[:10], r.leakpro_version, r.config_hash,
                        sources)
    if inputs.federated is not None:
        f = inputs.federated
        return Masthead(f"Federated learning on {f.data} ({f.model})", "", f.versions.get("leakpro", ""),
                        f.config_hash, sources)
    if "synthetic" not in inputs.extras and ("inversion" in inputs.extras
                                             or "attribute_inference" in inputs.extras):
        return Masthead("Model inversion and attribute inference", "", "", "", sources)
    synthetic = inputs.extras.get("synthetic", {})
    versions = synthetic.get("versions")
    versions = versions if isinstance(versions, dict) else {}
    return Masthead("Synthetic data", "", str(versions.get("leakpro", "")), str(synthetic.get("config_hash", "")),
                    sources)


def _runs(result: AuditResult) -> list[dict[str, Any]]:
    """Attack runs by attack id: the seeds used and each target's run."""
    runs: dict[str, dict[str, Any]] = {}
    for target in result.targets:
        for attack in target.attacks:
            run = runs.setdefault(attack.id, {"id": attack.id, "seeds": [], "by_target": {}})
            if attack.seed not in run["seeds"]:
                run["seeds"].append(attack.seed)
            run["by_target"][target.name] = attack
    return list(runs.values())


def render_html(inputs: ReportInputs) -> str:
    """The whole report as one self-contained HTML document."""
    env = environment()
    contents = [s.build(inputs, env) for s in registered_sections() if s.applies(inputs)]
    rows = _summary_rows(contents)
    headline = next((row for _, row in rows if row is not None and row.assessment is not None), None)
    result = inputs.result
    return env.get_template("report.html.j2").render(
        result=result,
        masthead=masthead(inputs),
        sections=contents,
        rows=rows,
        headline=headline,
        meaning=LEVEL_MEANING,
        gdpr_note=GDPR_NOTE,
        config_json=fmt.config_text(result.config) if result is not None else "",
        runs=_runs(result) if result is not None else [],
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        js=(TEMPLATES / "report.js").read_text(encoding="utf-8"),
    )
