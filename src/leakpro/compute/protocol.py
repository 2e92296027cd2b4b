"""The executor protocol: where reference models (or any other independent jobs) run.

An executor maps one picklable job function over many jobs and yields ``(job_id, result)`` pairs as
jobs finish, in any order. Data every job needs (the records, the trainer) is passed once as ``shared``
instead of inside every job, so a process pool pickles it once per worker and Ray stores it once in its
object store.

Example::

    from leakpro.compute import LocalExecutor

    def square(offset: int, x: int) -> int:
        return offset + x * x

    dict(LocalExecutor().map(square, [("a", 2), ("b", 3)], shared=1))  # {'a': 5, 'b': 10}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar, runtime_checkable

S = TypeVar("S")
J = TypeVar("J")
R = TypeVar("R")

JobFn = Callable[[S, J], R]


@runtime_checkable
class Executor(Protocol):
    """Runs independent jobs; results come back as they complete, each with its job id."""

    def slots(self) -> int:
        """How many jobs run at once (used to size batches of work)."""
        ...

    def map(self, fn: Callable[[S, J], R], jobs: Iterable[tuple[str, J]], shared: S) -> Iterator[tuple[str, R]]:
        """Yield ``(job_id, fn(shared, job))`` for every job, in completion order.

        ``fn`` must be a module-level function (picklable by reference). A job that raises makes the
        iteration raise; jobs already yielded are kept by the caller, so a re-run redoes only the rest.
        """
        ...

    def describe(self) -> str:
        """A one-line description for logs and results."""
        ...


def check_unique(job_ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for job_id in job_ids:
        if job_id in seen:
            raise ValueError(f"job id {job_id!r} is used twice")
        seen.add(job_id)
