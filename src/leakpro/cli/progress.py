"""A rich progress sink for the audit runner."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class RichProgress:
    """Progress bars for reference-model training and attacks; stage lines in between."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=False,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def stage(self, name: str) -> None:
        self._progress.console.log(name)

    def _bar(self, key: str, description: str, total: int) -> TaskID:
        if key not in self._tasks:
            self._tasks[key] = self._progress.add_task(description, total=total)
        return self._tasks[key]

    def models(self, done: int, total: int, cached: bool) -> None:
        task = self._bar("refs", "reference models", total)
        self._progress.update(task, completed=done, total=total,
                              description="reference models" + (" (from cache)" if cached else ""))

    def attack(self, target: str, attack_id: str, done: int, total: int) -> None:
        task = self._bar(f"attacks-{target}", f"attacks on {target}", total)
        self._progress.update(task, completed=done, description=f"attacks on {target}: {attack_id}".rstrip(": "))
