"""Executors register by name; ``make_executor`` builds one from the config's ``executor`` section."""

from __future__ import annotations

from collections.abc import Callable

from leakpro.compute.local import LocalExecutor
from leakpro.compute.process_pool import ProcessPoolExecutor
from leakpro.compute.protocol import Executor
from leakpro.compute.ray_executor import RayExecutor
from leakpro.config.schema import ExecutorSpec
from leakpro.registry import Registry

ExecutorFactory = Callable[[ExecutorSpec], Executor]
_EXECUTORS: Registry[ExecutorFactory] = Registry("executor")


def register_executor(kind: str) -> Callable[[ExecutorFactory], ExecutorFactory]:
    return _EXECUTORS.register(kind)


def registered_executors() -> list[str]:
    return _EXECUTORS.names()


def make_executor(spec: ExecutorSpec) -> Executor:
    """The executor a config asks for (``kind``: local | process | ray)."""
    if spec.kind not in _EXECUTORS:
        raise ValueError(f"unknown executor {spec.kind!r}: use one of {registered_executors()}")
    return _EXECUTORS.get(spec.kind)(spec)


@register_executor("local")
def _local(spec: ExecutorSpec) -> Executor:
    return LocalExecutor()


@register_executor("process")
def _process(spec: ExecutorSpec) -> Executor:
    return ProcessPoolExecutor(workers=spec.workers)


@register_executor("ray")
def _ray(spec: ExecutorSpec) -> Executor:
    return RayExecutor(address=spec.address, workers=spec.workers)
