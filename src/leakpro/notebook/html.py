"""The HTML a result shows in a notebook cell: page one's verdict, the risk per question, the attack table with
intervals and a small ROC (inline SVG). No script, no request; every name a user chose is escaped, and the
report's HTML snippets (evidence) pass through the report's own sanitiser (:func:`leakpro.report.render.fragment`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from leakpro.report import fmt
from leakpro.report.render import PageOne, fragment
from leakpro.report.text import LEVEL_MEANING
from leakpro.results.types import AttackResult, AuditResult, TargetResult
from leakpro.synthetic.results import SyntheticAuditResult

STYLE = """<style>
.leakpro-nb{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:13px;line-height:1.4;max-width:980px}
.leakpro-nb .lp-verdict{border-left:6px solid #888;border-radius:4px;padding:6px 12px;margin:4px 0 8px;
background:#f6f6f6}
.leakpro-nb .lp-level{font-size:1.5em;font-weight:700;margin-right:10px}
.leakpro-nb .lp-low{border-color:#2e7d32}.leakpro-nb .lp-low .lp-level{color:#2e7d32}
.leakpro-nb .lp-moderate{border-color:#b26a00}.leakpro-nb .lp-moderate .lp-level{color:#b26a00}
.leakpro-nb .lp-high{border-color:#c62828}.leakpro-nb .lp-high .lp-level{color:#c62828}
.leakpro-nb .lp-very-high{border-color:#6a1b9a}.leakpro-nb .lp-very-high .lp-level{color:#6a1b9a}
.leakpro-nb table{border-collapse:collapse;margin:4px 0}
.leakpro-nb th,.leakpro-nb td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.leakpro-nb td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.leakpro-nb .lp-muted{color:#666}.leakpro-nb .lp-row{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
</style>"""
COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#ad1457")
_CSS_LEVEL = {"low": "lp-low", "moderate": "lp-moderate", "high": "lp-high", "very-high": "lp-very-high"}


def _verdict(page: PageOne, what: str) -> str:
    row = page.headline
    if row is None or row.assessment is None:
        return (f'<div class="lp-verdict"><b>{escape(what)}</b>: <span class="lp-level">not assessed</span>'
                "<div>No attack produced a figure a level can be read from.</div></div>")
    a = row.assessment
    interval = f"range {a.interval_text}" if a.interval_name else f"95 % interval: {a.interval_text}"
    meaning = row.meaning or LEVEL_MEANING[a.level]
    return (f'<div class="lp-verdict {_CSS_LEVEL.get(a.level.css, "")}" data-level="{escape(a.level.label)}">'
            f"<b>{escape(row.headline or what)}</b><br><span class=\"lp-level\">{escape(a.level.label)}</span>"
            f"<span>{escape(interval)}</span><div>{fragment(meaning)}</div></div>")


def _risk_rows(page: PageOne) -> str:
    rows = [(text, row) for text, row in page.rows if row is not None and row.assessment is not None]
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{escape(text)}</td><td><b>{escape(row.assessment.level.label)}</b> "
        f'<span class="lp-muted">({escape(row.assessment.interval_text)})</span></td>'
        f"<td>{fragment(row.evidence)}</td><td>{fragment(row.control)}</td></tr>"
        for text, row in rows if row.assessment is not None)
    return ("<table><thead><tr><th>Question</th><th>Level (95 % interval)</th><th>Deciding evidence</th>"
            f"<th>What no leakage looks like</th></tr></thead><tbody>{body}</tbody></table>")


def _op_cell(attack: AttackResult, level: float) -> str:
    op = next((o for o in attack.tpr_at_fpr if abs(o.fpr_level - level) < 1e-12), None)
    if op is None:
        return '<td class="num">–</td>'
    return (f'<td class="num">{fmt.pct(op.tpr.value)} <span class="lp-muted">'
            f"{fmt.interval_pct(op.tpr.low, op.tpr.high)}</span></td>")


def attack_table(result: AuditResult) -> str:
    """Every target's attacks: AUC and TPR at 1 % / 0.1 % FPR with 95 % intervals, advantage, runtime."""
    rows = []
    for target in result.targets:
        primary = target.simultaneous.primary if target.simultaneous is not None else None
        for a in target.attacks:
            star = " ★" if a.id == primary else ""
            rows.append(
                f"<tr><td>{escape(target.name)}</td><td>{escape(a.id)}{star}</td>"
                f'<td class="num">{fmt.auc(a.auc.value)} <span class="lp-muted">'
                f"{fmt.interval_auc(a.auc.low, a.auc.high)}</span></td>"
                f"{_op_cell(a, 0.01)}{_op_cell(a, 0.001)}"
                f'<td class="num">{fmt.pct(a.advantage)}</td><td class="num">{fmt.seconds(a.runtime_s)}</td></tr>')
    return ("<table><thead><tr><th>target</th><th>attack</th><th>AUC [95 %]</th><th>TPR at 1 % FPR</th>"
            "<th>TPR at 0.1 % FPR</th><th>advantage</th><th>time</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>"
            '<div class="lp-muted">★ the headline attack, chosen on reference models before the secret was '
            "looked at. Intervals are each attack's own; page one's level uses intervals simultaneous over all "
            "attacks.</div>")


def roc_svg(curves: Sequence[tuple[str, Sequence[float], Sequence[float]]], *, floor: float = 1e-3,
            width: int = 300, height: int = 230) -> str:
    """A log-log ROC of ``(label, fpr, tpr)`` curves with the chance diagonal, as inline SVG (labels escaped)."""
    left, top, size_w, size_h = 38, 8, width - 38 - 8, height - 8 - 34 - 14 * min(len(curves), 4)
    span = -math.log10(floor)

    def xy(fpr: float, tpr: float) -> str:
        fx = (math.log10(max(fpr, floor)) + span) / span
        fy = (math.log10(max(tpr, floor)) + span) / span
        return f"{left + fx * size_w:.1f},{top + (1 - fy) * size_h:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="ROC curves, log-log" style="font:10px sans-serif">',
             f'<rect x="{left}" y="{top}" width="{size_w}" height="{size_h}" fill="none" stroke="#999"/>',
             f'<polyline points="{xy(floor, floor)} {xy(1, 1)}" fill="none" stroke="#bbb" stroke-dasharray="3,3"/>']
    for i in range(int(span) + 1):
        v = 10.0 ** -i
        x, y = (float(c) for c in xy(v, v).split(","))
        parts.append(f'<text x="{x:.1f}" y="{top + size_h + 11}" text-anchor="middle">{v:g}</text>'
                     f'<text x="{left - 3}" y="{y + 3:.1f}" text-anchor="end">{v:g}</text>')
    parts.append(f'<text x="{left + size_w / 2:.0f}" y="{top + size_h + 23}" text-anchor="middle">'
                 "false-positive rate</text>")
    for i, (label, fpr, tpr) in enumerate(curves):
        colour = COLOURS[i % len(COLOURS)]
        points = " ".join(xy(f, t) for f, t in zip(fpr, tpr, strict=True))
        weight = 2 if i == 0 else 1.2
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{weight}"/>')
        if i < 4:
            y = top + size_h + 36 + 14 * i
            parts.append(f'<line x1="{left}" y1="{y - 4}" x2="{left + 16}" y2="{y - 4}" stroke="{colour}" '
                         f'stroke-width="2"/><text x="{left + 20}" y="{y}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _curves(result: AuditResult) -> list[tuple[str, Sequence[float], Sequence[float]]]:
    """The audited target's headline attack (else its best by AUC), its runner-up, and the null control's."""
    def best(target: TargetResult) -> AttackResult | None:
        primary = target.simultaneous.primary if target.simultaneous is not None else None
        chosen = [a for a in target.attacks if a.id == primary]
        return chosen[0] if chosen else max(target.attacks, key=lambda a: a.auc.value, default=None)

    curves: list[tuple[str, Sequence[float], Sequence[float]]] = []
    for target in result.targets:
        a = best(target) if target.role != "defence" else None
        if a is not None:
            curves.append((f"{target.name}: {a.id} (AUC {fmt.auc(a.auc.value)})", a.roc["fpr"], a.roc["tpr"]))
    return curves


def membership_html(result: AuditResult, page: PageOne, title: str) -> str:
    data = result.data
    refs = result.reference_models
    facts = (f"{data.n_candidates:,} candidates ({data.n_members:,} members), {data.n_population:,} population "
             f"records; {len(result.targets[0].attacks) if result.targets else 0} attacks"
             + (f"; {refs.models} reference models" if refs is not None else ""))
    roc = _curves(result)
    return Markup(
        f'<div class="leakpro-nb">{STYLE}<div><b>LeakPro membership audit</b> · {escape(title)}</div>'
        f"{_verdict(page, 'Overall membership risk')}"
        f'<div class="lp-muted">{escape(facts)}</div>{_risk_rows(page)}'
        f'<div class="lp-row"><div>{attack_table(result)}</div>'
        + (f"<div>{roc_svg(roc)}</div>" if roc else "")
        + "</div><details><summary>Notes</summary><ul>"
        + "".join(f"<li>{escape(n)}</li>" for n in result.notes)
        + "</ul></details><div class=\"lp-muted\">.to_frame() for the figures, .report(dir) for the full report, "
        ".save(dir) to keep them.</div></div>")


def synthetic_html(result: SyntheticAuditResult, page: PageOne) -> str:
    rows = []
    for a in result.attacks:
        risk = a.risk
        shown = (f"{fmt.pct(risk.value)} {fmt.interval_pct(risk.ci_low, risk.ci_high)}"
                 if risk.value is not None and risk.ci_low is not None and risk.ci_high is not None
                 else f"undefined ({risk.undefined_reason or ''})")
        rows.append(f"<tr><td>{escape(a.name)}</td><td class=\"num\">{fmt.pct(a.ori.rate)}</td>"
                    f"<td class=\"num\">{fmt.pct(a.control.rate)}</td><td class=\"num\">{fmt.pct(a.baseline.rate)}</td>"
                    f"<td class=\"num\">{escape(shown)}</td></tr>")
    for m in result.membership:
        rows.append(f"<tr><td>{escape(m.name)}</td><td class=\"num\" colspan=\"3\">AUC {fmt.auc(m.auc)}</td>"
                    f"<td class=\"num\">{fmt.interval_auc(m.ci_low, m.ci_high)}</td></tr>")
    sizes = result.sizes
    facts = (f"real {sizes.get('real', 0):,} rows, synthetic {sizes.get('synthetic', 0):,}, control "
             f"{sizes.get('control', 0):,}; secrets {', '.join(result.secrets)}")
    return Markup(
        f'<div class="leakpro-nb">{STYLE}<div><b>LeakPro synthetic-data audit</b></div>'
        f"{_verdict(page, 'Overall synthetic-data risk')}<div class=\"lp-muted\">{escape(facts)}</div>"
        f"{_risk_rows(page)}<table><thead><tr><th>attack</th><th>success on real</th><th>on control</th>"
        "<th>baseline</th><th>risk [95 %]</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        '<div class="lp-muted">risk = (real − control) / (1 − control); .to_frame() for the figures, '
        ".report(dir) for the full report.</div></div>")
