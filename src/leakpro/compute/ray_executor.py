"""Run jobs as Ray tasks, on a running cluster (``address``) or on a local one started on first use.

Ray is optional (``pip install 'leakpro[ray]'``) and imported only when this executor runs. ``shared``
is put once in the object store. Tasks whose worker dies are retried by Ray (``retries``); an exception
raised by a job propagates. On a remote cluster, every node needs leakpro installed (or a Ray
``runtime_env``); results come back to the driver, which writes the cache, so nodes need no shared disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from leakpro.compute.protocol import check_unique

S = TypeVar("S")
J = TypeVar("J")
R = TypeVar("R")


def import_ray() -> Any:
    try:
        import ray
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "executor kind 'ray' needs Ray, which is not installed: pip install 'leakpro[ray]'"
        ) from err
    return ray


def _ray_call(fn: Callable[[Any, Any], Any], shared: Any, job: Any) -> Any:
    import torch

    torch.set_num_threads(1)
    return fn(shared, job)


class RayExecutor:
    """Ray tasks (one CPU each); at most ``workers`` in flight (default: the cluster's CPU count)."""

    def __init__(self, address: str | None = None, workers: int | None = None, retries: int = 2) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.address = address
        self.workers = workers
        self.retries = retries
        self._started = False

    def _ray(self) -> Any:
        ray = import_ray()
        if not ray.is_initialized():
            if self.address is None:
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=self.address, log_to_driver=False)
            self._started = True
        return ray

    def slots(self) -> int:
        if self.workers is not None:
            return self.workers
        ray = self._ray()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def map(self, fn: Callable[[S, J], R], jobs: Iterable[tuple[str, J]], shared: S) -> Iterator[tuple[str, R]]:
        jobs = list(jobs)
        check_unique(job_id for job_id, _ in jobs)
        if not jobs:
            return
        ray = self._ray()
        remote = ray.remote(num_cpus=1, max_retries=self.retries)(_ray_call)
        shared_ref = ray.put(shared)
        todo = iter(jobs)
        in_flight: dict[Any, str] = {}
        slots = self.slots()
        try:
            for job_id, job in todo:
                in_flight[remote.remote(fn, shared_ref, job)] = job_id
                if len(in_flight) >= slots:
                    break
            while in_flight:
                (ref,), _ = ray.wait(list(in_flight), num_returns=1)
                job_id = in_flight.pop(ref)
                yield job_id, ray.get(ref)
                for next_id, job in todo:
                    in_flight[remote.remote(fn, shared_ref, job)] = next_id
                    break
        finally:
            for ref in in_flight:
                ray.cancel(ref)

    def close(self) -> None:
        """Shut down the local cluster if this executor started it."""
        if self._started:
            import_ray().shutdown()
            self._started = False

    def describe(self) -> str:
        return f"Ray ({self.address or 'local cluster'})"
