"""Synthetic-data section, drawn generically from a ``synthetic_results.json`` beside ``results.json``.

Reads only documented keys (``attacks[*].risk``, ``ori``/``control``/``baseline`` rates, ``membership[*].auc``)
and tolerates anything else, so it keeps working while the synthetic audit grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from leakpro.report import fmt
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import FIGURE_NAMES, SYNTHETIC_THRESHOLDS, Assessment, assess, overall
from leakpro.report.sections.base import SectionContent, SummaryRow, register_section
from leakpro.report.text import SYNTHETIC_HOW

FAMILIES = ("singling_out", "linkability", "inference")


@dataclass(frozen=True)
class SyntheticRow:
    """One synthetic-data attack run, with its level."""

    name: str
    family: str
    risk: dict[str, float]
    rates: dict[str, dict[str, Any]]
    assessment: Assessment
    significant: bool | None
    findings: list[str]


def _risk_row(item: dict[str, Any]) -> SyntheticRow | None:
    risk = item.get("risk")
    if not isinstance(risk, dict) or "value" not in risk:
        return None
    name = "/".join(str(item[k]) for k in ("attack", "variant", "target") if item.get(k))
    value = float(risk["value"])
    lo, hi = float(risk.get("ci_low", value)), float(risk.get("ci_high", value))
    a = assess(SYNTHETIC_THRESHOLDS, {"risk": value}, {"risk": lo}, {"risk": hi}, name, value)
    rates = {k: item[k] for k in ("ori", "control", "baseline") if isinstance(item.get(k), dict)}
    return SyntheticRow(name, str(item.get("attack", "")), {"value": value, "low": lo, "high": hi}, rates, a,
                        item.get("significant"), [str(f) for f in item.get("findings", [])])


def _membership_row(item: dict[str, Any]) -> SyntheticRow | None:
    if "auc" not in item:
        return None
    name = "/".join(str(item[k]) for k in ("attack", "variant") if item.get(k))
    value = float(item["auc"])
    lo, hi = float(item.get("ci_low", value)), float(item.get("ci_high", value))
    a = assess(SYNTHETIC_THRESHOLDS, {"auc": value}, {"auc": lo}, {"auc": hi}, name, 2 * value - 1)
    return SyntheticRow(name, "membership", {"value": value, "low": lo, "high": hi}, {}, a,
                        not item.get("not_better_than_random", False), [str(f) for f in item.get("findings", [])])


def synthetic_rows(data: dict[str, Any]) -> list[SyntheticRow]:
    """Every attack run of the synthetic audit that carries a risk or an AUC."""
    rows = [_risk_row(a) for a in data.get("attacks", []) if isinstance(a, dict)]
    rows += [_membership_row(m) for m in data.get("membership", []) if isinstance(m, dict)]
    return [r for r in rows if r is not None]


def _evidence(row: SyntheticRow | None) -> str:
    if row is None:
        return ""
    r = row.risk
    if row.family == "membership":
        return f"AUC {fmt.auc(r['value'])} {fmt.interval_auc(r['low'], r['high'])} ({row.name})"
    return (f"{FIGURE_NAMES['risk']} {fmt.pct(r['value'])} {fmt.interval_pct(r['low'], r['high'])} "
            f"<span class='muted'>({row.name})</span>")


def _control(row: SyntheticRow | None) -> str:
    """What no leakage looks like: the same attack's success on real records the generator never saw."""
    if row is None:
        return ""
    if row.family == "membership":
        return "guessing: the attack cannot tell training records from control records"
    ori, control = row.rates.get("ori"), row.rates.get("control")
    if not ori or not control or "rate" not in ori or "rate" not in control:
        return ""
    return (f"success on control records {fmt.pct(float(control['rate']))}, against {fmt.pct(float(ori['rate']))} "
            "on the training records")


class SyntheticSection:
    """Singling out, linkability, inference and membership on a synthetic table (Giomi et al. 2023)."""

    key = "synthetic"
    title = "Synthetic data"
    order = 30

    def applies(self, inputs: ReportInputs) -> bool:
        return "synthetic" in inputs.extras

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        data = inputs.extras["synthetic"]
        rows = synthetic_rows(data)
        summary = []
        for family in (*FAMILIES, "membership"):
            mine = [r for r in rows if r.family == family]
            verdict = overall(r.assessment for r in mine)
            worst = next((r for r in mine if verdict and r.name == verdict.source), None)
            key = family if family != "membership" else "synthetic_membership"
            summary.append(SummaryRow(key, verdict, _evidence(worst), _control(worst), "synthetic"))
        body = env.get_template("synthetic.html.j2").render(data=data, rows=rows, families=(*FAMILIES,
                                                                                           "membership"))
        appendix = env.get_template("synthetic_appendix.html.j2").render(
            data=data, thresholds=SYNTHETIC_THRESHOLDS, names=FIGURE_NAMES)
        sizes = data.get("sizes", {})
        overview = ("<p><b>Synthetic data:</b> a synthetic table was audited against the real records it was "
                    "made from and a control set of real records the generator never saw"
                    + (f" (sizes: {', '.join(f'{k} {fmt.plain(v)}' for k, v in sizes.items())})" if sizes else "")
                    + ".</p>")
        return SectionContent(self.key, self.title, body, summary, appendix, [], overview, SYNTHETIC_HOW)


register_section(SyntheticSection)
