"""The terminal tables of a language-model audit (``leakpro demo --llm``, ``leakpro audit`` with ``llm:``)."""

from __future__ import annotations

from typing import Any

from leakpro.results.llm import LLMAuditResult


def _auc(i: Any) -> str:
    return f"{i.value:.3f} [{i.low:.3f}, {i.high:.3f}]"


def llm_table(result: LLMAuditResult) -> Any:
    """One row per attack: AUC with interval and TPR at 1% FPR, for the target and the null control side by side."""
    from rich.console import Group
    from rich.table import Table

    table = Table(title=f"Language-model membership — {result.name} ({result.candidates} candidate texts, "
                        f"{result.members} members)", title_justify="left")
    table.add_column("attack")
    for m in result.models:
        table.add_column(f"{m.role} AUC [95%]", justify="right")
        table.add_column(f"{m.role} TPR@1%", justify="right")
    for i, a in enumerate(result.models[0].attacks if result.models else []):
        cells = [a.title]
        for m in result.models:
            b = m.attacks[i]
            cells += [_auc(b.auc), f"{b.tpr_at_fpr[1].tpr.value:.3f}"]
        table.add_row(*cells)
    parts: list[Any] = [table]
    lines = []
    blind, shifted = result.blind_baseline, result.blind_self_test
    if blind is not None:
        lines.append(f"Blind baseline (texts only, {blind.method}): AUC {_auc(blind.auc)} — {blind.verdict}")
    if shifted is not None:
        lines.append(f"Blind baseline on a deliberately shifted split: AUC {_auc(shifted.auc)} "
                     f"({'flagged' if shifted.shifted else 'NOT flagged'})")
    for c in result.canaries:
        rows = ", ".join(f"{r.repetitions}×: {r.exposure.value:.1f} [{r.exposure.low:.1f}, {r.exposure.high:.1f}]"
                         for r in c.rows)
        lines.append(f"Canary exposure, {c.model} (bits of {c.log2_space:.1f}; by repetitions): {rows}")
    from rich.text import Text

    parts += [Text(line) for line in lines]
    return Group(*parts)
