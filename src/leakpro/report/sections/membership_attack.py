"""The per-attack part of the membership section: one view model per (audited target, attack)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leakpro.report import figures, fmt
from leakpro.report.curves import ExposedRecord, nearest_index, slider_points, top_exposed
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import Assessment, assess_attack
from leakpro.report.text import attack_paragraph
from leakpro.results.types import AttackResult, OperatingPointResult, TargetResult

TOP_K = 10
SLIDER_START_LEVEL = 0.01  # the slider starts at the operating point for FPR ≤ 1 %


@dataclass(frozen=True)
class OperatingRow:
    """One row of the TPR@FPR table: the audited model's point beside the null control's."""

    level: float
    target: OperatingPointResult
    null: OperatingPointResult | None


@dataclass(frozen=True)
class ExposedRow:
    """A top-k record with its features (empty when the dataset rows are not available)."""

    record: ExposedRecord
    features: list[tuple[str, str]]


@dataclass(frozen=True)
class AttackView:
    """Everything the template needs for one attack."""

    anchor: str
    attack: AttackResult
    null: AttackResult | None
    assessment: Assessment
    null_assessment: Assessment | None
    paragraph: str
    roc: figures.Figure
    histogram: figures.Figure
    operating: list[OperatingRow]
    exposed: list[ExposedRow]
    slider_json: str
    slider_start: int
    slider_max: int
    tied: int  # records scoring at least the lowest score shown (more than shown: ties cut off)
    epsilon: dict[str, Any] | None = None  # heuristic ε figure (not a DP bound), when the audit computed one


def anchor(target: TargetResult, attack: AttackResult) -> str:
    """HTML id of an attack's subsection."""
    return f"attack-{target.name}-{attack.id}".replace(" ", "-")


def features_of(frame: pd.DataFrame | None, record: int) -> list[tuple[str, str]]:
    """(column, value) pairs of dataset row ``record``; empty without a frame or out of range."""
    if frame is None or not 0 <= record < len(frame):
        return []
    row = frame.iloc[record]
    return [(str(k), fmt.plain(v.item() if isinstance(v, np.generic) else v)) for k, v in row.items()]


def _op(attack: AttackResult | None, level: float) -> OperatingPointResult | None:
    if attack is None:
        return None
    return next((p for p in attack.tpr_at_fpr if abs(p.fpr_level - level) < 1e-12), None)


def json_for_script(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</`` sequence)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def build_attack_view(inputs: ReportInputs, target: TargetResult, attack: AttackResult,
                      null: AttackResult | None, null_target: TargetResult | None) -> AttackView:
    """Figures, tables and slider data of one attack against one audited target."""
    table = inputs.target_scores(target)
    s = table[attack.scores_column].to_numpy(dtype=float)
    m = table["member"].to_numpy(dtype=bool)
    ops = [OperatingRow(p.fpr_level, p, _op(null, p.fpr_level)) for p in attack.tpr_at_fpr]
    start_op = _op(attack, SLIDER_START_LEVEL)
    threshold = start_op.threshold if start_op else None
    points = slider_points(s, m, keep=[p.threshold for p in attack.tpr_at_fpr])
    null_label = "null control"
    if null_target is not None and null_target.name != "null":
        null_label = f"null control ({null_target.name})"
    roc = figures.roc_figure(attack.roc, null.roc if null else None, non_members=int((~m).sum()),
                             title=f"{attack.title} ({attack.id})", null_label=null_label)
    level_name = fmt.level_pct(SLIDER_START_LEVEL)
    hist = figures.score_histogram(s[m], s[~m], title=f"{attack.title} ({attack.id})", threshold=threshold,
                                   threshold_label=f"threshold at FPR ≤ {level_name}")
    slider = {"points": points, "geometry": roc.geometry, "id": anchor(target, attack)}
    exposed = [ExposedRow(r, features_of(inputs.frame, r.record))
               for r in top_exposed(table, attack.scores_column, TOP_K)]
    return AttackView(
        anchor=anchor(target, attack), attack=attack, null=null, assessment=assess_attack(attack),
        null_assessment=assess_attack(null) if null else None,
        paragraph=attack_paragraph(attack, inputs.audit), roc=roc, histogram=hist, operating=ops,
        exposed=exposed, slider_json=json_for_script(slider), slider_start=nearest_index(points, threshold),
        slider_max=len(points["threshold"]) - 1,
        tied=int((s >= min(r.record.score for r in exposed)).sum()) if exposed else 0,
        epsilon=_epsilon(attack),
    )


def _epsilon(attack: AttackResult) -> dict[str, float] | None:
    bound = getattr(attack, "epsilon_heuristic", None)
    if bound is None:
        return None
    out: dict[str, Any] = {k: float(getattr(bound, k)) for k in ("epsilon", "delta", "confidence") if hasattr(bound, k)}
    out["non_member_side"] = getattr(bound, "direction", "") == "members-low"
    return out
