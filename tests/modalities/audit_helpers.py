"""Helpers shared by the modality tests: run an audit on one torch thread, index its attacks."""

from __future__ import annotations

from typing import Any

import torch

from leakpro.audit.runner import run_audit
from leakpro.results.types import AttackResult, AuditResult


def run_single_threaded(cfg: dict[str, Any]) -> AuditResult:
    """``run_audit(cfg)`` with torch on one thread (restored afterwards): fastest for tiny models here."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return run_audit(cfg)
    finally:
        torch.set_num_threads(previous)


def attacks_by_id(result: AuditResult, role: str) -> dict[str, AttackResult]:
    """The attacks of the target with ``role`` ('target' or 'null'), by attack id."""
    return {a.id: a for a in next(t for t in result.targets if t.role == role).attacks}


def assert_planted_leak_found(result: AuditResult, attack_id: str) -> None:
    """The attack's AUC on the audited target lies above 0.5, interval and all."""
    a = attacks_by_id(result, "target")[attack_id]
    assert a.auc.low > 0.5, f"{attack_id} missed the planted leak: AUC {a.auc}"


def assert_null_clean(result: AuditResult, attack_id: str) -> None:
    """The attack's AUC interval on the null control (never saw the members) holds 0.5."""
    a = attacks_by_id(result, "null")[attack_id]
    assert a.auc.low <= 0.5 <= a.auc.high, f"{attack_id} cries wolf on the null control: AUC {a.auc}"
