"""Shared fixtures: one planted-leak audit (an overfit Adult MLP) with its null control, run once.

Under pytest-xdist (the README's command runs ``-n logical --dist loadfile``) each test file goes whole to one
worker, so module-scoped fixtures are built once per file as in a serial run (a session-scoped one once per worker
that needs it, except the planted audit below: built once per run, its workers share the build on disk). Each
worker runs torch on one thread so that the workers do not oversubscribe the cores. ``-n 0`` runs everything in
one process. Under xdist the files that share a costly build go to one worker together, and files are handed out
longest first (see :data:`TOGETHER` and :data:`DURATIONS`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from leakpro.audit.runner import run_audit
from leakpro.results.types import AuditResult

# Test files that share a costly session build run on one xdist worker together, one after the other: one Ray
# cluster for the files that start one (``ray_cluster`` is session-scoped) instead of two starving each other on
# two cores; the planted audit and the rendered report are built once per run (on disk, under a file lock), and a
# second worker would only sit waiting for the first's build.
TOGETHER = {
    path: group
    for group, paths in {
        "a local Ray cluster": ("tests/compute/test_executors.py", "tests/compute/test_reference_bank.py",
                                "tests/compute/test_lm_reference_bank.py"),
        "the planted audit": ("tests/test_attacks_planted_and_null.py", "tests/test_cli_and_schema.py"),
        "the rendered report": ("tests/report/test_inversion_section.py", "tests/report/test_new_sections.py",
                                "tests/report/test_report_html.py", "tests/report/test_report_pdf.py"),
    }.items()
    for path in paths
}
# Each file's measured seconds (``python scripts/test_durations.py JUNIT.xml`` writes it): under xdist the longest
# files are handed out first, so that no long file starts last while the other worker idles. Order only: a file
# missing here runs after the measured ones.
DURATIONS = Path(__file__).with_name("durations.json")


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch

        torch.set_num_threads(1)
    elif hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # hand files out in the collection order set below


def scope_of(nodeid: str) -> str:
    """The unit one xdist worker runs whole: the test's file, or its group in :data:`TOGETHER`."""
    path = nodeid.split("::", 1)[0]
    return TOGETHER.get(path, path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER") or not DURATIONS.exists():
        return  # a serial run keeps the files' own order
    import json

    seconds: dict[str, float] = {}
    for path, took in json.loads(DURATIONS.read_text()).items():
        seconds[scope_of(path)] = seconds.get(scope_of(path), 0.0) + float(took)
    items.sort(key=lambda item: -seconds.get(scope_of(item.nodeid), 0.0))  # stable: a file's tests keep their order


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist") != "loadfile":
        return None  # any other --dist as xdist does it
    from xdist.scheduler import LoadFileScheduling

    class FilesAndRay(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return FilesAndRay(config, log)


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
    from filelock import FileLock  # a dependency of torch

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's directory, shared by its workers (not by other runs)
    out, done = root / "planted-audit", root / "planted-audit.done"
    with FileLock(str(root / "planted-audit.lock")):
        if not done.is_file():
            shutil.rmtree(out, ignore_errors=True)  # what a worker that died mid-build left
            run_audit(planted_config(), out=out)
            done.touch()
    return AuditResult.model_validate_json((out / "results.json").read_text(encoding="utf-8")), out
