"""How the README's ``-n logical --dist loadfile`` run spreads work over xdist workers (hooks in conftest.py).

Each file goes whole to one worker, except the groups in :data:`TOGETHER`; the longest files go first; a costly
fixture several files share is built once per run (:func:`once_per_run`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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


def scope_of(nodeid: str) -> str:
    """The unit one xdist worker runs whole: the test's file, or its group in :data:`TOGETHER`."""
    path = nodeid.split("::", 1)[0]
    return TOGETHER.get(path, path)


def order_items(items: list[pytest.Item]) -> None:
    """Under xdist, the longest scopes first (``items`` sorted in place); a serial run keeps the files' order."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or not DURATIONS.exists():
        return
    seconds: dict[str, float] = {}
    for path, took in json.loads(DURATIONS.read_text()).items():
        seconds[scope_of(path)] = seconds.get(scope_of(path), 0.0) + float(took)
    items.sort(key=lambda item: -seconds.get(scope_of(item.nodeid), 0.0))  # stable: a file's tests keep their order


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's per-file scheduling with :func:`scope_of` as the unit; ``None`` (xdist's own) for any other --dist."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndGroups(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return FilesAndGroups(config, log)


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], dict[str, Any] | None]
) -> tuple[Path, dict[str, Any]]:
    """``build(directory)`` run once per test run, not once per xdist worker; its directory and what it returned.

    The workers of one run share a base directory (the parent of each one's own): the first to ask builds under a
    file lock, the others wait for it and read the same files. What ``build`` returns is kept beside the directory
    as the mark that the build finished; a build left half done by a worker that died is started again.
    """
    from filelock import FileLock  # a dependency of torch

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's directory, shared by its workers (not by other runs)
    out, done = root / name, root / f"{name}.done.json"
    with FileLock(str(root / f"{name}.lock")):
        if not done.is_file():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            done.write_text(json.dumps(build(out) or {}))
    return out, json.loads(done.read_text())
