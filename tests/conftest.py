"""Shared fixtures: one planted-leak audit (an overfit Adult MLP) with its null control, run once.

Under pytest-xdist (the README's command runs ``-n logical --dist loadgroup``) each test file goes whole to one
worker, so module- and session-scoped fixtures are built once per file as in a serial run; the tests that share
the planted audit go to one worker, and so do the tests that start Ray (a local cluster per worker would fight
for the same two cores). Each worker runs torch on one thread so that two workers do not oversubscribe.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from leakpro.audit.runner import run_audit
from leakpro.results.types import AuditResult

# fixtures whose users must share one worker: they are expensive, or they start a process-wide service
SHARED_GROUPS = {"planted_audit": "planted-audit", "ray_cluster": "ray"}
RAY_FILES = ("federated/test_flower.py",)  # Flower's simulation engine starts Ray itself


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch

        torch.set_num_threads(1)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("dist", "no") != "loadgroup":
        return
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        names = getattr(item, "fixturenames", ())
        group = next((g for f, g in SHARED_GROUPS.items() if f in names), None)
        if group is None and path.endswith(RAY_FILES):
            group = "ray"
        item.add_marker(pytest.mark.xdist_group(group or path))


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
