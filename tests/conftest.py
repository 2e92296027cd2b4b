"""Shared fixtures: one planted-leak audit (an overfit Adult MLP) with its null control, run once.

Under pytest-xdist (the README's command runs ``-n logical --dist loadfile``) each test file goes whole to one
worker, so module-scoped fixtures are built once per file as in a serial run (a session-scoped one once per worker
that needs it, except the planted audit below: built once per run, its workers share the build on disk). Each
worker runs torch on one thread so that the workers do not oversubscribe the cores. ``-n 0`` runs everything in
one process. Under xdist the files that share a costly build go to one worker together, and files are handed out
longest first (tests/xdist_schedule.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from leakpro.audit.runner import run_audit
from leakpro.results.types import AuditResult
from xdist_schedule import make_scheduler, once_per_run, order_items


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch

        torch.set_num_threads(1)
    elif hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # hand files out in the order order_items sets


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    order_items(items)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    return make_scheduler(config, log)


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
    """The audit of :func:`planted_config`, built once per test run and read back from its results.json.

    Under xdist the workers of one run share a base directory (the parent of each worker's own): the first worker
    to ask builds the audit there under a file lock, the others wait for it and read the same files, instead of
    each training the same seven models again. Every worker (and a serial run) gets the result as loaded from
    results.json, so all tests see exactly what was written.
    """
    def build(out: Path) -> None:
        run_audit(planted_config(), out=out)

    out, _ = once_per_run(tmp_path_factory, "planted-audit", build)
    return AuditResult.model_validate_json((out / "results.json").read_text(encoding="utf-8")), out
