"""Progress reporting: the runner calls a sink; the CLI's sink draws rich progress bars."""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    def stage(self, name: str) -> None: ...

    def models(self, done: int, total: int, cached: bool) -> None: ...

    def attack(self, target: str, attack_id: str, done: int, total: int) -> None: ...


class SilentProgress:
    def stage(self, name: str) -> None:
        pass

    def models(self, done: int, total: int, cached: bool) -> None:
        pass

    def attack(self, target: str, attack_id: str, done: int, total: int) -> None:
        pass
