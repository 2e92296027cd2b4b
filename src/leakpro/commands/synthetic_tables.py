"""Console rendering of synthetic-audit results with rich (the JSON file is the source of truth)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from leakpro.synthetic.results import AttackResult, MembershipResult, SyntheticAuditResult


def _rate(r: object) -> str:
    rate, lo, hi = (getattr(r, k) for k in ("rate", "ci_low", "ci_high"))
    return f"{rate:.3f} [{lo:.3f}, {hi:.3f}]"


def _risk_text(a: AttackResult) -> str:
    r, joint = a.risk, a.risk.simultaneous
    if r.value is None or r.ci_low is None or r.ci_high is None or joint is None:
        return "undefined"
    text = f"{r.value:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}]"
    if joint.family_size > 1:
        text += f" sim. [{joint.ci_low:+.3f}, {joint.ci_high:+.3f}]"
    return text


def _attack_row(a: AttackResult) -> list[str]:
    flag = "no better than guessing" if a.no_better_than_baseline else ""
    flag = f"undefined: {a.risk.undefined_reason}" if a.risk.undefined_reason else flag
    risk = _risk_text(a)
    style = "bold red" if a.significant else ""
    return [
        a.name,
        _rate(a.ori),
        _rate(a.control),
        _rate(a.baseline),
        f"[{style}]{risk}" if style else risk,
        flag,
        str(len(a.exposed_records)),
    ]


def _membership_row(m: MembershipResult) -> list[str]:
    flag = "not better than 0.5" if m.not_better_than_random else ""
    auc = f"AUC {m.auc:.3f} [{m.ci_low:.3f}, {m.ci_high:.3f}]"
    if m.simultaneous.family_size > 1:
        auc += f" sim. [{m.simultaneous.ci_low:.3f}, {m.simultaneous.ci_high:.3f}]"
    adv = f"adv. {m.advantage:+.3f}"
    return [
        m.name,
        auc,
        f"{m.n_members} vs {m.n_non_members}",
        "AUC 0.5",
        adv,
        flag,
        str(len(m.exposed_records)),
    ]


def audit_table(result: SyntheticAuditResult, title: str = "Synthetic-data privacy audit") -> Table:
    """One row per attack: rates on ORI, CONTROL and the baseline, risk with interval, flag, exposed."""
    table = Table(title=title, show_lines=False)
    for head in ("attack", "ORI", "CONTROL", "baseline", "risk [95% CI] (simultaneous)", "flag", "exposed"):
        table.add_column(head, overflow="fold")
    for a in result.attacks:
        table.add_row(*_attack_row(a))
    for m in result.membership:
        table.add_row(*_membership_row(m))
    return table


def print_audit(
    result: SyntheticAuditResult, console: Console, title: str = "Synthetic-data privacy audit"
) -> None:
    """The table, the choices the audit made, and the plain-language findings of risky attacks."""
    console.print(audit_table(result, title))
    console.print(f"secrets ({result.secrets_source}): {', '.join(result.secrets)}")
    console.print(f"linkability split: {result.linkability_split[0]} | {result.linkability_split[1]}")
    for note in result.notes:
        console.print(f"note: {note}")
    for line in key_findings(result):
        console.print(f"• {line}")


def key_findings(result: SyntheticAuditResult, limit: int = 5) -> list[str]:
    """Findings of the attacks whose risk is significant (simultaneous lower end above 0), most risky first."""
    risky = sorted((a for a in result.attacks if a.significant and a.risk.simultaneous is not None),
                   key=lambda a: -a.risk.simultaneous.ci_low if a.risk.simultaneous else 0.0)
    lines = [f"{a.name}: risk {a.risk.value or 0.0:.2f} — {a.findings[0]}" for a in risky[:limit] if a.findings]
    lines += [f"{m.name}: {m.findings[-1]}" for m in result.membership if not m.not_better_than_random]
    return lines


def ranking_table(named: Sequence[tuple[str, SyntheticAuditResult]]) -> Table:
    """Generators ranked by overall demonstrated risk, with the risk of each attack family."""
    table = Table(title="Synthetic generators ranked by demonstrated risk (lower ends of simultaneous 95% intervals)")
    for head in ("rank", "generator", "overall", "singling out", "linkability", "inference", "membership"):
        table.add_column(head)
    ranked = sorted(named, key=lambda nr: -nr[1].overall_risk())
    for i, (name, res) in enumerate(ranked, start=1):
        fam = res.family_risks()
        table.add_row(
            str(i),
            name,
            f"{res.overall_risk():.3f}",
            *(f"{fam[k]:.3f}" for k in ("singling_out", "linkability", "inference", "membership")),
        )
    return table
