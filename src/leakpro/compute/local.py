"""Run jobs one after another in this process (the default; no start-up cost)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from leakpro.compute.protocol import check_unique

S = TypeVar("S")
J = TypeVar("J")
R = TypeVar("R")


class LocalExecutor:
    """In-process, sequential: results are yielded in job order."""

    def slots(self) -> int:
        return 1

    def map(self, fn: Callable[[S, J], R], jobs: Iterable[tuple[str, J]], shared: S) -> Iterator[tuple[str, R]]:
        jobs = list(jobs)
        check_unique(job_id for job_id, _ in jobs)
        for job_id, job in jobs:
            yield job_id, fn(shared, job)

    def describe(self) -> str:
        return "in-process"
