"""Rich tables of audit results."""

from __future__ import annotations

from rich.table import Table

from leakpro.results.types import AttackResult, AuditResult, Interval


def _pct(iv: Interval, compact: bool = False) -> str:
    if compact:
        return f"{100 * iv.value:.2f}%"
    return f"{100 * iv.value:.2f}% [{100 * iv.low:.2f}, {100 * iv.high:.2f}]"


def _auc(a: AttackResult, compact: bool = False) -> str:
    sep = "," if compact else ", "
    return f"{a.auc.value:.3f} [{a.auc.low:.3f}{sep}{a.auc.high:.3f}]"


def _null_verdict(a: AttackResult, compact: bool = False) -> str:
    clean = a.auc.low <= 0.5 <= a.auc.high
    if compact:
        return f"{a.auc.value:.3f} " + ("[green]✓[/]" if clean else "[red]✗[/]")
    return f"{_auc(a)} " + ("[green]≈ 0.5[/]" if clean else "[red]≠ 0.5[/]")


def results_table(result: AuditResult, width: int = 200) -> Table:
    """One row per attack: the target's AUC and TPR at 1% / 0.1% FPR with 95% intervals, and the null control.

    Below 130 columns the TPRs and the null control's AUC are shown without their intervals (results.json and
    the report have them); ✓ marks a null-control AUC whose interval contains 0.5."""
    compact = width < 130
    target = next(t for t in result.targets if t.role == "target")
    null = next((t for t in result.targets if t.role == "null"), None)
    table = Table(title=f"Membership inference — {result.data.name}: {result.data.n_members:,} members, "
                  f"{result.data.n_candidates - result.data.n_members:,} non-members (95% intervals)")
    table.add_column("attack", no_wrap=True)
    table.add_column("AUC", justify="right", no_wrap=True)
    table.add_column("TPR@1%" if compact else "TPR @ 1% FPR", justify="right", no_wrap=True)
    table.add_column("TPR@0.1%" if compact else "TPR @ 0.1% FPR", justify="right", no_wrap=True)
    if null is not None:
        table.add_column("null AUC" if compact else "null control AUC", justify="right", no_wrap=True)
    null_by_id = {a.id: a for a in null.attacks} if null is not None else {}
    for a in target.attacks:
        row = [a.id, _auc(a, compact), _pct(a.tpr_at_fpr[1].tpr, compact), _pct(a.tpr_at_fpr[2].tpr, compact)]
        if null is not None:  # an attack that failed on the null target has no row there
            row.append(_null_verdict(null_by_id[a.id], compact) if a.id in null_by_id else "—")
        table.add_row(*row)
    return table


def accuracy_line(result: AuditResult) -> str:
    parts = []
    for t in result.targets:
        if t.train_accuracy is not None and t.test_accuracy is not None:
            parts.append(f"{t.name}: accuracy on members {t.train_accuracy:.3f}, on non-members {t.test_accuracy:.3f}")
    return "; ".join(parts)


def inversion_lines(result: AuditResult) -> list[str]:
    """One line per class inversion and per inferred attribute (empty when the audit ran neither)."""
    lines = []
    for r in result.inversion:
        a = r.attack_accuracy
        lines.append(f"class inversion · {r.target}: evaluation accuracy {_pct(a)} vs chance {100 * r.chance:.1f}%, "
                     f"{r.classes_recovered}/{r.n_classes} classes recovered")
    for ai in result.attribute_inference:
        verdict = ("[red]leaks beyond imputation[/]" if ai.leaks_beyond_imputation
                   else "no more than imputation" if ai.lift_members <= 0 else "within the intervals of imputation")
        lines.append(f"attribute inference · {ai.target} · {ai.attribute}: members {_pct(ai.members)}, "
                     f"non-members {_pct(ai.non_members)}, imputation {_pct(ai.baseline_members)} — {verdict}")
    return lines
