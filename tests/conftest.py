"""Shared fixtures: one planted-leak audit (an overfit Adult MLP) with its null control, run once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leakpro.audit.runner import run_audit
from leakpro.results.types import AuditResult


def planted_config(seed: int = 3, **overrides: Any) -> dict[str, Any]:
    """An MLP overfit on 1,000 Adult members (train accuracy ≈ 1), a null control, 4 reference models."""
    cfg: dict[str, Any] = {
        "seed": seed,
        "data": {"builtin": "adult", "split": {"candidates": 2000, "population": 1500}},
        "target": {"kind": "torch", "train": True,
                   "recipe": {"model": "mlp", "params": {"hidden": [256, 256]}, "epochs": 60, "batch_size": 64}},
        "attacks": "all",
        "reference": {"models": 4},
        "null_target": True,
    }
    cfg.update(overrides)
    return cfg


@pytest.fixture(scope="session")
def planted_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditResult, Path]:
    out = tmp_path_factory.mktemp("planted")
    return run_audit(planted_config(), out=out), out
