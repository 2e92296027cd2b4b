"""Run jobs in a local pool of worker processes (spawned, one torch thread each).

Workers are started with the ``spawn`` method (safe beside torch and threads) and receive ``shared``
once, through the pool initializer. A worker that dies (killed, out of memory, a segfault) breaks the
pool; the jobs that had not finished are then resubmitted to a fresh pool, up to ``retries`` times.
An exception raised by a job itself is not retried: it propagates to the caller.

As with any spawn-based pool, a script that uses it must guard its entry point with
``if __name__ == "__main__":`` (each worker imports the main module); ``leakpro audit`` and notebooks
need nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import ProcessPoolExecutor as _Pool
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from leakpro.compute.protocol import check_unique

S = TypeVar("S")
J = TypeVar("J")
R = TypeVar("R")

_SHARED: Any = None  # set in each worker by _init_worker


def _init_worker(shared: Any) -> None:
    """Runs first in each worker: one thread per worker (torch reads OMP_NUM_THREADS when it loads)."""
    global _SHARED
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"
    if "torch" in sys.modules:  # already loaded while unpickling ``shared``
        sys.modules["torch"].set_num_threads(1)
    _SHARED = shared


def _call(fn: Callable[[Any, Any], Any], job: Any) -> Any:
    return fn(_SHARED, job)


class ProcessPoolExecutor:
    """A ``concurrent.futures`` process pool with the spawn context; ``workers`` defaults to the CPU count."""

    def __init__(self, workers: int | None = None, retries: int = 2) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if retries < 0:
            raise ValueError(f"retries must be at least 0, got {retries}")
        self.workers = workers or os.cpu_count() or 1
        self.retries = retries

    def slots(self) -> int:
        return self.workers

    def map(self, fn: Callable[[S, J], R], jobs: Iterable[tuple[str, J]], shared: S) -> Iterator[tuple[str, R]]:
        pending = dict(jobs)
        check_unique(pending)
        for attempt in range(self.retries + 1):
            if not pending:
                return
            try:
                for job_id, result in self._run_pool(fn, pending, shared):
                    del pending[job_id]
                    yield job_id, result
            except BrokenProcessPool as err:
                if attempt == self.retries:
                    raise RuntimeError(
                        f"a worker process died {self.retries + 1} times; {len(pending)} job(s) not done: "
                        f"{sorted(pending)[:5]}"
                    ) from err

    def _run_pool(self, fn: Callable[[S, J], R], jobs: dict[str, J], shared: S) -> Iterator[tuple[str, R]]:
        workers = min(self.workers, len(jobs))
        ctx = multiprocessing.get_context("spawn")
        pool = _Pool(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(shared,))
        try:
            futures: dict[Future[R], str] = {pool.submit(_call, fn, job): job_id for job_id, job in jobs.items()}
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in done:
                    job_id = futures.pop(fut)
                    yield job_id, fut.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"process pool ({self.workers} workers)"
