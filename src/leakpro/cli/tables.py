"""Rich tables of audit results, laid out to fit the terminal without breaking an attack's name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table

from leakpro.results.types import AttackResult, AuditResult, Interval


def _pct(iv: Interval, compact: bool = False) -> str:
    if compact:
        return f"{100 * iv.value:.2f}%"
    return f"{100 * iv.value:.2f}% [{100 * iv.low:.2f}, {100 * iv.high:.2f}]"


@dataclass(frozen=True)
class _Layout:
    """How much of each figure a row shows, from the richest layout to the leanest."""

    intervals: bool = True  # False: point estimates only (results.json and the report have the intervals)
    stacked: bool = False  # the interval on a second line under its value
    digits: int = 3  # decimals of AUC intervals (TPR intervals, in percent: one fewer)
    fold_names: bool = False  # attack names split into lines at '_' / '-' (never inside a word)
    short_headers: bool = False


LAYOUTS = (
    _Layout(),
    _Layout(stacked=True),
    _Layout(stacked=True, digits=2, short_headers=True),
    _Layout(stacked=True, digits=2, short_headers=True, fold_names=True),
    _Layout(intervals=False, short_headers=True),
    _Layout(intervals=False, short_headers=True, fold_names=True),
)


def fold_name(name: str, width: int = 10) -> str:
    """``label_only_augmentation`` → ``label_only_`` / ``augmentation``: lines of at most ``width`` characters
    where the name allows, split only after a '_' or '-' (a part longer than ``width`` stays whole)."""
    parts = [p for p in re.split(r"(?<=[_-])", name) if p]
    lines = [""]
    for part in parts:
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return "\n".join(lines)


def _cell(value: str, iv: Interval, layout: _Layout, scale: float, digits: int) -> str:
    if not layout.intervals:
        return value
    interval = f"[{scale * iv.low:.{digits}f}, {scale * iv.high:.{digits}f}]"
    return f"{value}\n[dim]{interval}[/]" if layout.stacked else f"{value} {interval}"


def _auc(a: AttackResult, layout: _Layout) -> str:
    return _cell(f"{a.auc.value:.3f}", a.auc, layout, 1.0, layout.digits)


def _tpr(iv: Interval, layout: _Layout) -> str:
    return _cell(f"{100 * iv.value:.2f}%", iv, layout, 100.0, layout.digits - 1)


def _null_verdict(a: AttackResult, layout: _Layout) -> str:
    clean = a.auc.low <= 0.5 <= a.auc.high
    mark = ("[green]≈ 0.5[/]" if clean else "[red]≠ 0.5[/]") if not layout.short_headers else (
        "[green]✓[/]" if clean else "[red]✗[/]")
    if not layout.intervals:
        return f"{a.auc.value:.3f} {mark}"
    interval = f"[{a.auc.low:.{layout.digits}f}, {a.auc.high:.{layout.digits}f}]"
    return f"{a.auc.value:.3f} {mark}\n[dim]{interval}[/]" if layout.stacked else f"{a.auc.value:.3f} {interval} {mark}"


def _table(result: AuditResult, layout: _Layout) -> Table:
    target = next(t for t in result.targets if t.role == "target")
    null = next((t for t in result.targets if t.role == "null"), None)
    notes = []
    if not layout.intervals:
        notes.append("intervals: in report.html and results.json (too narrow a terminal to show them)")
    if null is not None and layout.short_headers:
        notes.append("✓: the null control's AUC interval contains 0.5")
    short = layout.short_headers
    table = Table(title=f"Membership inference — {result.data.name}: {result.data.n_members:,} members, "
                  f"{result.data.n_candidates - result.data.n_members:,} non-members (95% intervals)",
                  caption="; ".join(notes) or None, box=box.SIMPLE_HEAD if layout.stacked else box.HEAVY_HEAD,
                  show_edge=not layout.stacked, pad_edge=not layout.stacked, collapse_padding=layout.stacked)
    words = [w for a in target.attacks for w in re.split(r"(?<=[_-])", a.id)]
    fold = max(map(len, words), default=6)
    names = [fold_name(a.id, fold) if layout.fold_names else a.id for a in target.attacks]
    longest_word = max((len(line) for n in names for line in n.split("\n")), default=6)
    table.add_column("attack", no_wrap=True, min_width=longest_word)
    table.add_column("AUC", justify="right", no_wrap=True)
    table.add_column("TPR@1%" if short else "TPR @ 1% FPR", justify="right", no_wrap=True)
    table.add_column("TPR@0.1%" if short else "TPR @ 0.1% FPR", justify="right", no_wrap=True)
    if null is not None:
        table.add_column("null AUC" if short else "null control AUC", justify="right", no_wrap=True)
    null_by_id = {a.id: a for a in null.attacks} if null is not None else {}
    for name, a in zip(names, target.attacks, strict=True):
        row = [name, _auc(a, layout), _tpr(a.tpr_at_fpr[1].tpr, layout), _tpr(a.tpr_at_fpr[2].tpr, layout)]
        if null is not None:  # an attack that failed on the null target has no row there
            row.append(_null_verdict(null_by_id[a.id], layout) if a.id in null_by_id else "—")
        table.add_row(*row)
    return table


def _width(table: Table) -> int:
    """The width the table takes when nothing limits it (its natural width)."""
    return Console(width=10_000).measure(table).maximum


def results_table(result: AuditResult, width: int = 200) -> Table:
    """One row per attack: the target's AUC and TPR at 1% / 0.1% FPR with 95% intervals, and the null control.

    The richest layout that fits ``width`` is used: intervals beside their values, then under them (fewer
    decimals, attack names split after '_' or '-' when needed), and only on a very narrow terminal values
    without intervals (results.json and the report have them; the caption says so). An attack's name is never
    broken inside a word.
    """
    for layout in LAYOUTS:
        table = _table(result, layout)
        if _width(table) <= width:
            return table
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
