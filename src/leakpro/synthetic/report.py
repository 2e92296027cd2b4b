"""Console rendering of synthetic-audit results with rich (the JSON file is the source of truth)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from leakpro.synthetic.results import AttackResult, MembershipResult, SyntheticAuditResult


def _rate(r: object) -> str:
    rate, lo, hi = (getattr(r, k) for k in ("rate", "ci_low", "ci_high"))
    return f"{rate:.3f} [{lo:.3f}, {hi:.3f}]"


def _attack_row(a: AttackResult) -> list[str]:
    flag = "no better than guessing" if a.no_better_than_baseline else ""
    risk = f"{a.risk.value:+.3f} [{a.risk.ci_low:+.3f}, {a.risk.ci_high:+.3f}]"
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
    for head in ("attack", "ORI", "CONTROL", "baseline", "risk [95% CI]", "flag", "exposed"):
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
    """Findings of the attacks whose risk is significant, most risky first."""
    risky = sorted((a for a in result.attacks if a.significant), key=lambda a: -a.risk.ci_low)
    lines = [f"{a.name}: risk {a.risk.value:.2f} — {a.findings[0]}" for a in risky[:limit] if a.findings]
    lines += [f"{m.name}: {m.findings[-1]}" for m in result.membership if not m.not_better_than_random]
    return lines


def ranking_table(named: Sequence[tuple[str, SyntheticAuditResult]]) -> Table:
    """Generators ranked by overall demonstrated risk, with the risk of each attack family."""
    table = Table(title="Synthetic generators ranked by demonstrated risk (lower 95% bounds)")
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
