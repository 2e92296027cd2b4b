"""A rich progress sink for the audit runner: a line per stage, live bars with the real elapsed time."""

from __future__ import annotations

import datetime as dt
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.text import Text


class StageElapsedColumn(ProgressColumn):
    """Time since the work a bar counts began (``task.fields['since']``), frozen when the bar completes.

    Rich's own elapsed column counts from when a bar is added; the reference-model bar is added at the first
    finished model, and batched models finish together, so it read 0:00:00 after a minute of training.
    """

    def render(self, task: Task) -> Text:
        since = task.fields.get("since")
        end = task.fields.get("ended")
        if since is None:
            return Text("-:--:--", style="progress.elapsed")
        now = end if end is not None else task.get_time()
        return Text(str(dt.timedelta(seconds=max(0, int(now - since)))), style="progress.elapsed")


class CountColumn(MofNCompleteColumn):
    """``done/total``; blank for a stage row, which has no count."""

    def render(self, task: Task) -> Text:
        return Text("") if task.total is None else super().render(task)


class RichProgress:
    """Stage lines (time and name), a live row for the running stage, and bars for reference models and attacks.

    A bar's time is real: the reference-model bar counts from the start of its stage (it appears only when the
    first model finishes, and batched models finish together), so a 72 s stage reads 0:01:12; while no bar
    moves, the running stage's own row shows its time advancing.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), CountColumn(),
            StageElapsedColumn(), console=console, transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._running: set[TaskID] = set()  # bars whose round has not completed
        self._stage: TaskID | None = None
        self._last_event = self._progress.get_time()  # a stage began, an attack began, a round ended

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._hide_stage()
        self._progress.stop()

    def stage(self, name: str) -> None:
        """A timestamped line (without rich's source path, a debugging aid) and a live row with its time."""
        now = self._last_event = self._progress.get_time()
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self._progress.console.print(f"[log.time]\\[{stamp}][/] {escape(name)}", highlight=False)
        if self._stage is None:
            self._stage = self._progress.add_task(escape(name), total=None, since=now, ended=None)
        else:
            self._progress.update(self._stage, description=escape(name), since=now, visible=True)

    def _hide_stage(self) -> None:
        if self._stage is not None:
            self._progress.update(self._stage, visible=False)

    def _bar(self, key: str, description: str, done: int, total: int) -> TaskID:
        """The bar for ``key``; a new round (after the last one completed) starts from the latest event."""
        self._hide_stage()
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = self._progress.add_task(description, total=total, since=self._last_event,
                                                              ended=None)
        elif task not in self._running:
            self._progress.reset(task, total=total, since=self._last_event, ended=None)
        self._running.add(task)
        now = self._progress.get_time()
        finished = done >= total
        self._progress.update(task, completed=done, total=total, description=description,
                              ended=now if finished else None)
        if finished:
            self._running.discard(task)
            self._last_event = now
        return task

    def models(self, done: int, total: int, cached: bool) -> None:
        self._bar("refs", "reference models" + (" (from cache)" if cached else ""), done, total)

    def attack(self, target: str, attack_id: str, done: int, total: int) -> None:
        if done == 0:
            self._last_event = self._progress.get_time()
        self._bar(f"attacks-{target}", escape(f"attacks on {target}: {attack_id}".rstrip(": ")), done, total)
