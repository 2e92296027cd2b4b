"""Rich tables of audit results."""

from __future__ import annotations

from rich.table import Table

from leakpro.results.types import AuditResult, OperatingPointResult


def _pct(op: OperatingPointResult) -> str:
    return f"{100 * op.tpr.value:.2f}% [{100 * op.tpr.low:.2f}, {100 * op.tpr.high:.2f}]"


def results_table(result: AuditResult) -> Table:
    """One row per attack; target and null control side by side when both were audited."""
    targets = result.targets
    table = Table(title=f"Membership inference — {result.data.name}: {result.data.n_members:,} members, "
                  f"{result.data.n_candidates - result.data.n_members:,} non-members")
    table.add_column("attack")
    for t in targets:
        label = "null control" if t.role == "null" else t.name
        table.add_column(f"{label}\nAUC [95% CI]", justify="right")
        table.add_column(f"{label}\nTPR @ 1% FPR", justify="right")
        table.add_column(f"{label}\nTPR @ 0.1% FPR", justify="right")
    for i, attack in enumerate(targets[0].attacks):
        row = [attack.id]
        for t in targets:
            a = t.attacks[i]
            row += [f"{a.auc.value:.3f} [{a.auc.low:.3f}, {a.auc.high:.3f}]",
                    _pct(a.tpr_at_fpr[1]), _pct(a.tpr_at_fpr[2])]
        table.add_row(*row)
    return table


def accuracy_line(result: AuditResult) -> str:
    parts = []
    for t in result.targets:
        if t.train_accuracy is not None and t.test_accuracy is not None:
            parts.append(f"{t.name}: accuracy on members {t.train_accuracy:.3f}, on non-members {t.test_accuracy:.3f}")
    return "; ".join(parts)
