"""Known answers for the pure parts: risk levels from thresholds, slider points, exposure ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leakpro.report import fmt
from leakpro.report.curves import flag_rate, most_exposed_members, slider_points, top_exposed
from leakpro.report.risk import (
    MEMBERSHIP_THRESHOLDS,
    RiskLevel,
    assess_attack,
    level_of,
    membership_figures,
    overall,
    resolvable,
)
from leakpro.results.types import AuditResult


@pytest.mark.parametrize(("figures", "level"), [
    ({"auc": 0.5, "tpr@1%": 0.01, "tpr@0.1%": 0.001}, RiskLevel.LOW),
    ({"auc": 0.549, "tpr@1%": 0.029, "tpr@0.1%": 0.0099}, RiskLevel.LOW),
    ({"auc": 0.55, "tpr@1%": 0.0, "tpr@0.1%": 0.0}, RiskLevel.MODERATE),
    ({"auc": 0.5, "tpr@1%": 0.03, "tpr@0.1%": 0.0}, RiskLevel.MODERATE),
    ({"auc": 0.5, "tpr@1%": 0.0, "tpr@0.1%": 0.01}, RiskLevel.HIGH),
    ({"auc": 0.65, "tpr@1%": 0.0, "tpr@0.1%": 0.0}, RiskLevel.HIGH),
    ({"auc": 0.5, "tpr@1%": 0.0, "tpr@0.1%": 0.10}, RiskLevel.VERY_HIGH),
    ({"auc": 0.80, "tpr@1%": 0.0, "tpr@0.1%": 0.0}, RiskLevel.VERY_HIGH),
])
def test_level_thresholds(figures: dict[str, float], level: RiskLevel) -> None:
    assert level_of(MEMBERSHIP_THRESHOLDS, figures) is level


def test_planted_leak_is_high_and_null_is_low(results_dir: Path) -> None:
    result = AuditResult.model_validate_json((results_dir / "results.json").read_text())
    target, null = result.targets
    verdict = overall(assess_attack(a) for a in target.attacks)
    control = overall(assess_attack(a) for a in null.attacks)
    assert verdict is not None and control is not None
    assert verdict.level >= RiskLevel.HIGH and verdict.source == "lira-online"
    assert verdict.low <= verdict.level <= verdict.high
    assert control.level is RiskLevel.LOW


def test_fpr_levels_the_non_members_cannot_resolve_do_not_count(results_dir: Path) -> None:
    """50 non-members: FPR ≤ 1 % allows no false alarm, and chance alone flags ~1 member of 50 (2 %) there."""
    from leakpro.metrics.summary import membership_metrics

    result = AuditResult.model_validate_json((results_dir / "results.json").read_text())
    template = result.targets[0].attacks[0]
    members = np.r_[np.ones(50, dtype=bool), np.zeros(50, dtype=bool)]
    scores = np.r_[np.linspace(0.0, 0.99, 49), 2.0, np.linspace(0.005, 0.995, 50)]  # one member above all; AUC 0.5
    attack = template.model_copy(update=membership_metrics(scores, members))
    ops = {op.fpr_level: op for op in attack.tpr_at_fpr}
    assert ops[0.001].tpr.value == pytest.approx(0.02) and not resolvable(ops[0.001])
    assert not resolvable(ops[0.01]) and resolvable(ops[0.1])
    point, _, _ = membership_figures(attack)
    assert set(point) == {"auc"}  # 2 % at "0.1 % FPR" would otherwise read High
    assert level_of(MEMBERSHIP_THRESHOLDS, {"tpr@0.1%": 0.02}) is RiskLevel.HIGH
    assert assess_attack(attack).level is RiskLevel.LOW


def test_slider_points_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    members = rng.random(5000) < 0.5
    scores = np.round(rng.normal(size=5000) + members, 2)  # ties on purpose
    pts = slider_points(scores, members, points=60, keep=[1.5])
    assert len(pts["threshold"]) <= 60 + 4 and pts["threshold"][0] is None
    assert 1.5 in pts["threshold"]
    for thr, tp, fp in zip(pts["threshold"], pts["tp"], pts["fp"], strict=True):
        flagged = np.zeros_like(members) if thr is None else scores >= thr
        assert tp == int((flagged & members).sum()) and fp == int((flagged & ~members).sum())
    assert pts["tp"][-1] == members.sum() and pts["fp"][-1] == (~members).sum()
    assert np.all(np.diff(pts["fp"]) >= 0)


def test_flag_rate_and_top_exposed() -> None:
    table = pd.DataFrame({"record": [10, 11, 12, 13, 14], "member": [True, False, True, False, False],
                          "label": [0, 1, 0, 1, 1], "a": [0.9, 0.8, 0.1, 0.2, 0.95]})
    assert flag_rate(np.array([0.9, 0.1]), np.array([0.8, 0.2, 0.95])).tolist() == pytest.approx([1 / 3, 1.0])
    top = top_exposed(table, "a", 2)
    assert [(r.record, r.member) for r in top] == [(14, False), (10, True)]
    assert top[1].flag_rate == pytest.approx(1 / 3)


def test_most_exposed_members_counts_attacks(results_dir: Path) -> None:
    base = results_dir
    result = AuditResult.model_validate_json((base / "results.json").read_text())
    target = result.targets[0]
    table = pd.read_csv(base / target.scores_file)
    rows = most_exposed_members(table, target.attacks, 0.01, 5)
    assert rows and all(r.member for r in rows)
    counts = [r.attacks_flagging for r in rows]
    assert counts == sorted(counts, reverse=True)
    lira = next(a for a in target.attacks if a.id == "lira-online")
    op = next(p for p in lira.tpr_at_fpr if p.fpr_level == 0.01)
    flagged = table.loc[table["lira-online"] >= float(f"{op.threshold:.10g}")]
    assert int((flagged["member"]).sum()) == op.true_positives  # same threshold as results.json


def test_formats() -> None:
    assert fmt.pct(0.053) == "5.30%" and fmt.auc(0.62849) == "0.628" and fmt.level_pct(0.001) == "0.1%"
    assert fmt.count(53, 1000) == "53 / 1,000" and fmt.seconds(125) == "2 min 5 s"


def test_fixture_results_follow_the_published_schema(results_dir: Path) -> None:
    """The stored results the report tests read are valid against results.schema.json, as an audit's are."""
    jsonschema = pytest.importorskip("jsonschema")
    import json

    import leakpro.results

    schema_path = Path(leakpro.results.__file__).parent / "results.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(json.loads((results_dir / "results.json").read_text()), schema)
