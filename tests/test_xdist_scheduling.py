"""The xdist schedule in tests/xdist_schedule.py: its groups name real files, the durations script sums per file,
and a shared build runs once."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from xdist_schedule import DURATIONS, TOGETHER, once_per_run, scope_of

ROOT = Path(__file__).resolve().parent.parent


def test_every_grouped_file_exists_and_groups_by_file_otherwise() -> None:
    missing = [path for path in TOGETHER if not (ROOT / path).is_file()]
    assert not missing, f"tests/conftest.py TOGETHER names files that do not exist: {missing}"
    assert scope_of("tests/compute/test_executors.py::test_ray_returns_every_result") == "a local Ray cluster"
    assert scope_of("tests/web/test_jobs.py::TestX::test_y[1]") == "tests/web/test_jobs.py"


def test_durations_name_test_files() -> None:
    seconds = json.loads(DURATIONS.read_text())
    assert all(path.startswith("tests/") and path.endswith(".py") for path in seconds)
    assert all(value >= 0 for value in seconds.values())


def test_durations_script_sums_each_file(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("test_durations", ROOT / "scripts" / "test_durations.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.web.test_jobs" name="a" time="1.5"/>'
        '<testcase classname="tests.web.test_jobs.TestX" name="b" time="2.0"/>'
        '<testcase classname="tests.test_lira" name="c" time="0.25"/>'
        "</testsuite></testsuites>"
    )
    assert script.file_seconds(junit) == {"tests/web/test_jobs.py": 3.5, "tests/test_lira.py": 0.25}


def test_a_shared_build_runs_once_and_a_half_done_one_again(tmp_path_factory: pytest.TempPathFactory) -> None:
    calls: list[Path] = []

    def build(out: Path) -> dict[str, int]:
        calls.append(out)
        (out / "made").write_text("yes")
        return {"n": len(calls)}

    first = once_per_run(tmp_path_factory, "schedule-test-build", build)
    assert once_per_run(tmp_path_factory, "schedule-test-build", build) == first == (calls[0], {"n": 1})
    (first[0].parent / "schedule-test-build.done.json").unlink()  # as if the builder died before finishing
    (first[0] / "left-over").write_text("half")
    again = once_per_run(tmp_path_factory, "schedule-test-build", build)
    assert again == (calls[0], {"n": 2}) and not (again[0] / "left-over").exists()
