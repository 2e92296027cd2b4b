"""A local Ray cluster for the compute tests, started once (about 5 s) and shut down at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'leakpro[ray]')")
    started = not ray.is_initialized()
    if started:
        # workers import the test helpers by module name (``compute.helpers``): put tests/ on their path, after
        # the driver's own PYTHONPATH (a source checkout run with PYTHONPATH=src keeps its leakpro in the workers)
        tests_dir = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH", ""), tests_dir) if p)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield
    if started:
        ray.shutdown()
