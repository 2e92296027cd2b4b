"""Executors: every job's result comes back once, with its id; failures are reported or redone."""

from __future__ import annotations

import builtins
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from leakpro.compute import LocalExecutor, ProcessPoolExecutor, RayExecutor, make_executor, registered_executors
from leakpro.compute.protocol import Executor
from leakpro.compute.ray_executor import import_ray
from leakpro.config.schema import ExecutorSpec

from .helpers import affine, die_once, fail_on_three, leakpro_source

JOBS = [(f"job{i}", i) for i in range(6)]
EXPECTED = {f"job{i}": 100 + i * i for i in range(6)}


def test_factory_builds_each_registered_kind() -> None:
    assert registered_executors() == ["local", "process", "ray"]
    assert isinstance(make_executor(ExecutorSpec()), LocalExecutor)  # type: ignore[call-arg]
    pool = make_executor(ExecutorSpec(kind="process", workers=3))  # type: ignore[call-arg]
    assert isinstance(pool, ProcessPoolExecutor) and pool.slots() == 3
    ray_exec = make_executor(ExecutorSpec(kind="ray", address="ray://head:10001"))  # type: ignore[call-arg]
    assert isinstance(ray_exec, RayExecutor) and ray_exec.address == "ray://head:10001"
    for ex in (make_executor(ExecutorSpec()), pool, ray_exec):  # type: ignore[call-arg]
        assert isinstance(ex, Executor)


def test_local_runs_in_order() -> None:
    assert list(LocalExecutor().map(affine, JOBS, 100)) == list(EXPECTED.items())


def test_duplicate_job_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="used twice"):
        list(LocalExecutor().map(affine, [("a", 1), ("a", 2)], 0))


def test_process_pool_returns_every_result() -> None:
    assert dict(ProcessPoolExecutor(workers=2).map(affine, JOBS, 100)) == EXPECTED


def test_process_pool_propagates_a_job_error() -> None:
    with pytest.raises(ValueError, match="job 3 fails"):
        dict(ProcessPoolExecutor(workers=2).map(fail_on_three, JOBS, 0))


def test_process_pool_redoes_the_jobs_of_a_killed_worker(tmp_path: Path) -> None:
    jobs = [(f"j{i}", i) for i in range(4)]
    out = dict(ProcessPoolExecutor(workers=2, retries=1).map(die_once, jobs, str(tmp_path)))
    assert out == {f"j{i}": i * 10 for i in range(4)}
    assert (tmp_path / "died-2").exists()  # the worker really died once


def test_process_pool_gives_up_after_its_retries(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="died 1 times"):
        dict(ProcessPoolExecutor(workers=1, retries=0).map(die_once, [("j2", 2)], str(tmp_path)))


def test_missing_ray_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ImportError, match=r"pip install 'leakpro\[ray\]'"):
        import_ray()


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install 'leakpro[ray]')")
def test_ray_returns_every_result(ray_cluster: None) -> None:
    ex = RayExecutor(workers=2)
    assert dict(ex.map(affine, JOBS, 100)) == EXPECTED
    with pytest.raises(ValueError, match="job 3 fails"):
        dict(ex.map(fail_on_three, JOBS, 0))


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install 'leakpro[ray]')")
def test_ray_workers_run_the_leakpro_under_test(ray_cluster: None) -> None:
    """Executor tests compare the driver's numbers with the workers': both must come from the same code."""
    import leakpro

    got = dict(RayExecutor(workers=1).map(leakpro_source, [("a", None)], None))
    assert got["a"] == str(Path(leakpro.__file__).resolve())


def test_pool_workers_run_the_leakpro_under_test() -> None:
    import leakpro

    got = dict(ProcessPoolExecutor(workers=1).map(leakpro_source, [("a", None)], None))
    assert got["a"] == str(Path(leakpro.__file__).resolve())
