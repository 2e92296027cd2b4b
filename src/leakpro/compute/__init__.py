"""Where reference models train: in this process, a local process pool, or a Ray cluster."""

from leakpro.compute.factory import make_executor, register_executor, registered_executors
from leakpro.compute.local import LocalExecutor
from leakpro.compute.process_pool import ProcessPoolExecutor
from leakpro.compute.protocol import Executor
from leakpro.compute.ray_executor import RayExecutor

__all__ = [
    "Executor",
    "LocalExecutor",
    "ProcessPoolExecutor",
    "RayExecutor",
    "make_executor",
    "register_executor",
    "registered_executors",
]
