"""Every attack finds the planted leak (an overfit target) and finds nothing on the null control."""

from __future__ import annotations

import pytest

from leakpro.attacks.membership.base import registered_attacks
from leakpro.results.types import AuditResult


def _by_target(result: AuditResult, role: str) -> dict[str, object]:
    target = next(t for t in result.targets if t.role == role)
    return {a.id: a for a in target.attacks}


def test_target_is_overfit(planted_audit):
    result, _ = planted_audit
    target = next(t for t in result.targets if t.role == "target")
    assert target.train_accuracy > 0.97
    assert target.test_accuracy < target.train_accuracy - 0.1


def test_every_registered_attack_ran(planted_audit):
    result, _ = planted_audit
    ran = {a.attack for a in result.targets[0].attacks}
    assert ran == set(registered_attacks())


@pytest.mark.parametrize("attack_id", [
    "loss", "population", "reference", "shadow", "lira-online", "lira-offline", "rmia-online",
    "rmia-offline", "qmia", "gap", "label_only_augmentation", "label_only_boundary",
])
def test_planted_leak_found(planted_audit, attack_id):
    result, _ = planted_audit
    a = _by_target(result, "target")[attack_id]
    assert a.auc.low > 0.5, f"{attack_id} missed the planted leak: AUC {a.auc}"


@pytest.mark.parametrize("attack_id", [
    "loss", "population", "reference", "shadow", "lira-online", "lira-offline", "rmia-online",
    "rmia-offline", "qmia", "gap", "label_only_augmentation", "label_only_boundary",
])
def test_null_control_clean(planted_audit, attack_id):
    result, _ = planted_audit
    a = _by_target(result, "null")[attack_id]
    assert a.auc.low <= 0.5 <= a.auc.high, f"{attack_id} cries wolf on the null control: AUC {a.auc}"


def test_strong_attacks_beat_loss_at_low_fpr(planted_audit):
    result, _ = planted_audit
    attacks = _by_target(result, "target")
    loss_tpr = attacks["loss"].tpr_at_fpr[1].tpr.value
    assert attacks["rmia-online"].tpr_at_fpr[1].tpr.value > loss_tpr
    assert attacks["rmia-online"].auc.value > attacks["loss"].auc.value


@pytest.mark.parametrize("role", ["target", "null"])
def test_label_only_attacks_are_compared_with_the_gap_baseline(planted_audit, role):
    attacks = _by_target(planted_audit[0], role)
    assert attacks["gap"].versus_baseline is None
    for name in ("label_only_augmentation", "label_only_boundary"):
        v = attacks[name].versus_baseline
        assert v is not None and v.baseline == "gap"
        d = v.auc_difference
        assert d.value == pytest.approx(attacks[name].auc.value - attacks["gap"].auc.value)
        assert v.verdict == ("beats" if d.low > 0 else "worse" if d.high < 0 else "not distinguishable")
