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
        # workers import the test helpers by module name (``compute.helpers``): put tests/ on their path, and
        # the leakpro under test before any installed one (a checkout run with PYTHONPATH=src would otherwise
        # have its Ray workers run the installed copy's code and compare the driver's numbers with another
        # version's)
        import leakpro

        tests_dir = str(Path(__file__).resolve().parent.parent)
        source_dir = str(Path(leakpro.__file__).resolve().parent.parent)
        # The cluster's processes inherit the environment they are started in, and its workers theirs: set the
        # path for ray.init only (no runtime_env, which would make Ray start other workers than the two it
        # starts with the cluster, and wait for them).
        before = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join([tests_dir, source_dir])
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        finally:
            if before is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = before
    yield
    if started:
        ray.shutdown()
