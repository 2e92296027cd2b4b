"""Synthetic-data section, drawn generically from a ``synthetic_results.json`` beside ``results.json``.

Reads only documented keys (``attacks[*].risk``, ``ori``/``control``/``baseline`` rates, ``membership[*].auc``)
and tolerates anything else, so it keeps working while the synthetic audit grows.

Levels survive the number of attacks: a family (singling out, linkability, inference, membership) runs ``k``
attacks, each with an interval made simultaneous over the ``k`` (``risk.simultaneous`` / ``simultaneous``:
Bonferroni, each at ``1 − 0.05 / k``). An attack's level is read at the lower end of that interval and the top of
its range at the upper end; the family's level is the worst attack's. A risk recorded as undefined (the control
already succeeds) is shown with its reason and decides nothing. Results files written before simultaneous
intervals existed are read at their 95 % intervals, and the section says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import escape

from leakpro.report import fmt
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import FIGURE_NAMES, SYNTHETIC_THRESHOLDS, Assessment, assess, overall
from leakpro.report.sections.base import SectionContent, SummaryRow, register_section
from leakpro.report.text import (
    SYNTHETIC_FAMILY_NOTE,
    SYNTHETIC_HEADLINE,
    SYNTHETIC_HOW,
    SYNTHETIC_MEANING,
    SYNTHETIC_NO_SIMULTANEOUS,
    SYNTHETIC_QUESTIONS,
    SYNTHETIC_UNDEFINED,
)

FAMILIES = ("singling_out", "linkability", "inference")


@dataclass(frozen=True)
class Reading:
    """The interval a level is read at: simultaneous over ``family_size`` attacks when ``recorded``, else 95 %."""

    low: float
    high: float
    confidence: float
    family_size: int
    recorded: bool


@dataclass(frozen=True)
class SyntheticRow:
    """One synthetic-data attack run with a defined risk (or an AUC), with its level."""

    name: str
    family: str
    risk: dict[str, float]  # value, low, high: the 95 % interval (membership: the AUC)
    joint: Reading  # the interval the level is read at
    rates: dict[str, dict[str, Any]]
    assessment: Assessment
    significant: bool | None
    findings: list[str]


@dataclass(frozen=True)
class UndefinedRow:
    """An attack run whose risk is undefined (the control already succeeds): shown with its reason, no level."""

    name: str
    family: str
    reason: str
    rates: dict[str, dict[str, Any]]
    findings: list[str]


def _joint(block: Any, low: float, high: float, confidence: float) -> Reading:
    """The simultaneous interval recorded in ``block``, else the 95 % interval (``recorded`` False)."""
    if isinstance(block, dict) and "ci_low" in block and "ci_high" in block:
        return Reading(float(block["ci_low"]), float(block["ci_high"]), float(block.get("confidence", confidence)),
                       int(block.get("family_size", 1)), True)
    return Reading(low, high, confidence, 1, False)


def _read(figure: str, name: str, joint: Reading) -> Assessment:
    """The level at the lower end of ``joint``, its range up to the level at the upper end."""
    lo, hi = {figure: joint.low}, {figure: joint.high}
    named = (f"simultaneous 95 % over {joint.family_size} {'attack' if joint.family_size == 1 else 'attacks'}"
             if joint.recorded else "")
    return assess(SYNTHETIC_THRESHOLDS, lo, lo, hi, name, joint.low, named)


def _risk_row(item: dict[str, Any]) -> SyntheticRow | UndefinedRow | None:
    risk = item.get("risk")
    if not isinstance(risk, dict) or "value" not in risk:
        return None
    name = "/".join(str(item[k]) for k in ("attack", "variant", "target") if item.get(k))
    rates = {k: item[k] for k in ("ori", "control", "baseline") if isinstance(item.get(k), dict)}
    findings = [str(f) for f in item.get("findings", [])]
    if risk["value"] is None:
        reason = str(risk.get("undefined_reason") or "the risk could not be measured")
        return UndefinedRow(name, str(item.get("attack", "")), reason, rates, findings)
    value = float(risk["value"])
    lo, hi = float(risk.get("ci_low", value)), float(risk.get("ci_high", value))
    joint = _joint(risk.get("simultaneous"), lo, hi, float(risk.get("confidence", 0.95)))
    return SyntheticRow(name, str(item.get("attack", "")), {"value": value, "low": lo, "high": hi}, joint, rates,
                        _read("risk", name, joint), item.get("significant"), findings)


def _membership_row(item: dict[str, Any]) -> SyntheticRow | None:
    if "auc" not in item:
        return None
    name = "/".join(str(item[k]) for k in ("attack", "variant") if item.get(k))
    value = float(item["auc"])
    lo, hi = float(item.get("ci_low", value)), float(item.get("ci_high", value))
    joint = _joint(item.get("simultaneous"), lo, hi, float(item.get("confidence", 0.95)))
    return SyntheticRow(name, "membership", {"value": value, "low": lo, "high": hi}, joint, {},
                        _read("auc", name, joint), not item.get("not_better_than_random", False),
                        [str(f) for f in item.get("findings", [])])


def synthetic_rows(data: dict[str, Any]) -> list[SyntheticRow]:
    """Every attack run of the synthetic audit that carries a defined risk or an AUC."""
    rows: list[SyntheticRow | UndefinedRow | None] = [_risk_row(a) for a in data.get("attacks", [])
                                                      if isinstance(a, dict)]
    rows += [_membership_row(m) for m in data.get("membership", []) if isinstance(m, dict)]
    return [r for r in rows if isinstance(r, SyntheticRow)]


def undefined_rows(data: dict[str, Any]) -> list[UndefinedRow]:
    """The attack runs whose risk is recorded as undefined, with the reason."""
    rows = [_risk_row(a) for a in data.get("attacks", []) if isinstance(a, dict)]
    return [r for r in rows if isinstance(r, UndefinedRow)]


def family_verdicts(rows: list[SyntheticRow]) -> dict[str, tuple[Assessment | None, SyntheticRow | None]]:
    """Per family: its level (the worst defined attack's, each read at its simultaneous lower end) and that attack."""
    out: dict[str, tuple[Assessment | None, SyntheticRow | None]] = {}
    for family in (*FAMILIES, "membership"):
        mine = [r for r in rows if r.family == family]
        verdict = overall(r.assessment for r in mine)
        worst = next((r for r in mine if verdict and r.name == verdict.source), None)
        out[family] = (verdict, worst)
    return out


def family_note(rows: list[SyntheticRow], undefined: list[UndefinedRow], family: str) -> str:
    """How the family's level was chosen, in words (plain text)."""
    readings = [r.joint for r in rows if r.family == family]
    n_undefined = sum(r.family == family for r in undefined)
    total = len(readings) + n_undefined
    if not total:
        return ""
    if not all(j.recorded for j in readings):
        text = SYNTHETIC_NO_SIMULTANEOUS
    else:
        k = max((j.family_size for j in readings), default=total)
        confidence = max((j.confidence for j in readings), default=1 - 0.05 / k)
        text = SYNTHETIC_FAMILY_NOTE.format(k=k, attacks="attack" if k == 1 else "attacks",
                                            confidence=f"{100 * confidence:.4g} %")
    if n_undefined:
        text += (f" {n_undefined} of {total} attacks have an undefined risk (the control already succeeds) and "
                 "decide nothing.")
    return text


def _evidence(row: SyntheticRow | None) -> str:
    if row is None:
        return ""
    r, j = row.risk, row.joint
    name = escape(row.name)
    if j.recorded:
        how = (f"level read at [{_fig(row, j.low)}, {_fig(row, j.high)}], simultaneous over "
               f"{j.family_size} {'attack' if j.family_size == 1 else 'attacks'}")
    else:
        how = "level read at the 95 % interval"
    if row.family == "membership":
        return (f"AUC {fmt.auc(r['value'])} {fmt.interval_auc(r['low'], r['high'])} "
                f"<span class='muted'>({how}; {name})</span>")
    return (f"{FIGURE_NAMES['risk']} {fmt.pct(r['value'])} {fmt.interval_pct(r['low'], r['high'])} "
            f"<span class='muted'>({how}; {name})</span>")


def _fig(row: SyntheticRow, value: float) -> str:
    return fmt.auc(value) if row.family == "membership" else fmt.pct(value)


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
        families = (*FAMILIES, "membership")
        summary = []
        for family, (verdict, worst) in family_verdicts(rows).items():
            key = family if family != "membership" else "synthetic_membership"
            summary.append(SummaryRow(
                key, verdict, _evidence(worst), _control(worst), "synthetic",
                headline=SYNTHETIC_HEADLINE.format(question=SYNTHETIC_QUESTIONS[key]),
                meaning=SYNTHETIC_MEANING[verdict.level] if verdict is not None else ""))
        undefined = undefined_rows(data)
        notes = {f: family_note(rows, undefined, f) for f in families}
        body = env.get_template("synthetic.html.j2").render(data=data, rows=rows, undefined=undefined,
                                                            families=families, notes=notes)
        appendix = env.get_template("synthetic_appendix.html.j2").render(
            data=data, thresholds=SYNTHETIC_THRESHOLDS, names=FIGURE_NAMES, undefined_rule=SYNTHETIC_UNDEFINED)
        sizes = data.get("sizes", {})
        overview = ("<p><b>Synthetic data:</b> a synthetic table was audited against the real records it was "
                    "made from and a control set of real records the generator never saw"
                    + (f" (sizes: {', '.join(f'{escape(k)} {fmt.plain(v)}' for k, v in sizes.items())})"
                       if sizes else "") + ".</p>")
        return SectionContent(self.key, self.title, body, summary, appendix, [], overview, SYNTHETIC_HOW)


register_section(SyntheticSection)
