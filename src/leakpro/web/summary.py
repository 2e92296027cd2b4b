"""At-a-glance figures of one audit and the side-by-side comparison of two, read from their result files.

Every figure comes from ``results.json`` / ``synthetic_results.json`` and is judged by the report's own risk
rules (:func:`leakpro.report.risk.assess_attack`, :func:`leakpro.report.sections.synthetic.synthetic_rows`),
so the web pages and the report never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from leakpro.report.risk import assess_attack
from leakpro.report.sections.synthetic import synthetic_rows
from leakpro.results.types import AuditResult
from leakpro.web.storage import AuditDir


@dataclass(frozen=True)
class Figure:
    """One attack (or synthetic attack run) on one target: its headline figure with interval and level."""

    key: str  # "target / rmia-offline": what is compared across audits
    target: str
    role: str
    attack: str
    title: str
    metric: str  # "AUC" or "risk"
    value: float
    low: float
    high: float
    tpr_at_1pct: float | None
    epsilon: float | None
    level: str
    level_css: str


@dataclass(frozen=True)
class Glance:
    figures: list[Figure]
    accuracy: dict[str, tuple[float | None, float | None]]  # target -> (train, test)


def glance(d: AuditDir) -> Glance | None:
    """The figures of a finished audit; ``None`` while it has no results."""
    if not d.results.is_file():
        return None
    result = AuditResult.model_validate_json(d.results.read_text(encoding="utf-8"))
    figures = []
    for t in result.targets:
        for a in t.attacks:
            level = assess_attack(a).level
            tpr1 = next((op.tpr.value for op in a.tpr_at_fpr if abs(op.fpr_level - 0.01) < 1e-12), None)
            eps = a.epsilon_heuristic.epsilon if a.epsilon_heuristic else None
            figures.append(Figure(f"{t.name} / {a.id}", t.name, t.role, a.id, a.title, "AUC", a.auc.value,
                                  a.auc.low, a.auc.high, tpr1, eps, level.label, level.css))
    if d.synthetic_results.is_file():
        data = json.loads(d.synthetic_results.read_text(encoding="utf-8"))
        for row in synthetic_rows(data):
            metric = "AUC" if row.family == "membership" else "risk"
            level = row.assessment.level
            figures.append(Figure(f"synthetic / {row.name}", "synthetic", "synthetic", row.name, row.family, metric,
                                  row.risk["value"], row.risk["low"], row.risk["high"], None, None, level.label,
                                  level.css))
    if d.llm_results.is_file():
        figures += _llm_figures(d)
    accuracy = {t.name: (t.train_accuracy, t.test_accuracy) for t in result.targets}
    return Glance(figures, accuracy)


def _llm_figures(d: AuditDir) -> list[Figure]:
    """Each LM attack on the target and the null, judged as the report's language-model section judges it."""
    from leakpro.report.sections.llm import attack_assessment
    from leakpro.results.llm import LLMAuditResult

    result = LLMAuditResult.model_validate_json(d.llm_results.read_text(encoding="utf-8"))
    figures = []
    for m in result.models:
        for a in m.attacks:
            level = attack_assessment(a).level
            tpr1 = next((op.tpr.value for op in a.tpr_at_fpr if abs(op.fpr_level - 0.01) < 1e-12), None)
            figures.append(Figure(f"llm {m.role} / {a.attack}", m.name, m.role, a.attack, a.title, "AUC",
                                  a.auc.value, a.auc.low, a.auc.high, tpr1, None, level.label, level.css))
    return figures


@dataclass(frozen=True)
class Pair:
    key: str
    a: Figure | None
    b: Figure | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b.value - self.a.value


def compare(a: Glance | None, b: Glance | None) -> list[Pair]:
    """Figures of two audits matched by target and attack, in the order they first appear."""
    fa = {f.key: f for f in (a.figures if a else [])}
    fb = {f.key: f for f in (b.figures if b else [])}
    keys = list(dict.fromkeys([*fa, *fb]))
    return [Pair(k, fa.get(k), fb.get(k)) for k in keys]
