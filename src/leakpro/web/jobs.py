"""Background audits: a queue served by worker threads, live progress for server-sent events, cancellation.

The runner reports through :class:`WebProgress` (a :class:`~leakpro.audit.progress.ProgressSink`); it keeps a
snapshot that the event stream sends on every change and writes it to the database now and then, so a page
opened later, or after a restart, still shows where the audit got to. Cancelling sets an event that the sink
checks at each report: the audit stops at its next progress point (between reference models or attacks).

Resuming re-runs the audit with the same config and the same directory, whose cache holds the reference
models already trained; a job the previous server process left running is marked ``interrupted`` at start.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from leakpro.config.errors import ConfigError
from leakpro.synthetic.errors import SyntheticInputError
from leakpro.web.db import Database
from leakpro.web.models import AuditStatus, utcnow
from leakpro.web.storage import Storage

log = logging.getLogger(__name__)
LOG_LINES = 40
SAVE_EVERY_S = 1.0


class AuditCancelled(Exception):
    """Raised inside the audit's thread at its next progress point after a cancel."""


@dataclass
class Live:
    """The in-memory state of a queued or running audit."""

    snapshot: dict[str, Any]
    cancel: threading.Event = field(default_factory=threading.Event)
    version: int = 0


class WebProgress:
    """Progress sink of one audit: updates the live snapshot, persists it now and then, honours cancel."""

    def __init__(self, manager: JobManager, audit_id: str) -> None:
        self.manager, self.audit_id = manager, audit_id
        self._saved = 0.0

    def check(self) -> None:
        if self.manager.cancel_requested(self.audit_id):
            raise AuditCancelled

    def stage(self, name: str) -> None:
        self.check()
        self._update({"stage": name, "attack": None}, f"{name}", persist=True)

    def models(self, done: int, total: int, cached: bool) -> None:
        self.check()
        line = f"reference models: {done}/{total}" + (" (from cache)" if cached else "")
        self._update({"models": {"done": done, "total": total, "cached": cached}}, line, persist=done == total)

    def attack(self, target: str, attack_id: str, done: int, total: int) -> None:
        self.check()
        if not attack_id:
            self._update({"attack": {"target": target, "id": "", "done": done, "total": total}},
                         f"{target}: {total} attack(s) done", persist=True)
            return
        stage = f"attacking {target}: {attack_id} ({done + 1}/{total})"
        self._update({"stage": stage, "attack": {"target": target, "id": attack_id, "done": done, "total": total}},
                     stage, persist=False)

    def _update(self, changes: dict[str, Any], line: str, persist: bool) -> None:
        snap = self.manager.update_live(self.audit_id, changes, line)
        now = time.monotonic()
        if persist or now - self._saved >= SAVE_EVERY_S:
            self._saved = now
            self.manager.db.update(self.audit_id, stage=str(snap.get("stage", ""))[:300],
                                   progress_json=json.dumps(snap))


class JobManager:
    """Runs audits one after another (``workers`` at a time) in daemon threads."""

    def __init__(self, db: Database, storage: Storage, workers: int = 1) -> None:
        self.db, self.storage, self.workers = db, storage, workers
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._live: dict[str, Live] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def start(self) -> None:
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"leakpro-audit-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        """Stop taking work; running audits stop at their next progress point and are marked interrupted."""
        self._stopping.set()
        with self._lock:
            for live in self._live.values():
                live.cancel.set()
        for _ in self._threads:
            self._queue.put(None)

    def submit(self, audit_id: str) -> None:
        with self._lock:
            self._live[audit_id] = Live({"status": AuditStatus.QUEUED.value, "stage": "waiting for a worker",
                                         "models": None, "attack": None, "log": [], "error": None})
        self.db.update(audit_id, status=AuditStatus.QUEUED.value, stage="waiting for a worker", error=None,
                       finished=None, progress_json="{}")
        self._queue.put(audit_id)

    def resume(self, audit_id: str) -> bool:
        """Run a failed, cancelled or interrupted audit again (cached reference models are reused)."""
        audit = self.db.get(audit_id)
        if audit is None or not audit.state.resumable:
            return False
        self.submit(audit_id)
        return True

    def cancel(self, audit_id: str) -> bool:
        with self._lock:
            live = self._live.get(audit_id)
            if live is None:
                return False
            live.cancel.set()
        self.update_live(audit_id, {"stage": "cancelling: stopping at the next progress point"}, "cancel requested")
        return True

    def cancel_requested(self, audit_id: str) -> bool:
        with self._lock:
            live = self._live.get(audit_id)
            return live is not None and live.cancel.is_set()

    def update_live(self, audit_id: str, changes: dict[str, Any], line: str | None = None) -> dict[str, Any]:
        with self._changed:
            live = self._live[audit_id]
            live.snapshot.update(changes)
            if line:
                live.snapshot["log"] = [*live.snapshot["log"], line][-LOG_LINES:]
            live.version += 1
            self._changed.notify_all()
            return dict(live.snapshot)

    def snapshot(self, audit_id: str) -> tuple[int, dict[str, Any]] | None:
        """The latest progress of an audit: live while this process runs it, else as last saved."""
        with self._lock:
            live = self._live.get(audit_id)
            if live is not None:
                return live.version, dict(live.snapshot)
        audit = self.db.get(audit_id)
        if audit is None:
            return None
        snap = {"models": None, "attack": None, "log": [], **json.loads(audit.progress_json or "{}")}
        snap.update(status=audit.status, stage=audit.stage, error=audit.error)
        return 0, snap

    def _work(self) -> None:
        while (audit_id := self._queue.get()) is not None:
            try:
                self._run(audit_id)
            except Exception:  # the worker must survive anything one audit does
                log.exception("audit %s: unexpected failure in the job manager", audit_id)

    def _run(self, audit_id: str) -> None:
        from leakpro.web.runs import execute

        audit = self.db.get(audit_id)
        if audit is None:
            return
        if self.cancel_requested(audit_id):
            self._finish(audit_id, AuditStatus.CANCELLED, "cancelled before it started")
            return
        self.db.update(audit_id, status=AuditStatus.RUNNING.value, started=utcnow(), attempts=audit.attempts + 1)
        self.update_live(audit_id, {"status": AuditStatus.RUNNING.value, "stage": "starting"}, "started")
        try:
            execute(audit, self.storage.audit(audit_id), WebProgress(self, audit_id))
        except AuditCancelled:
            if self._stopping.is_set():
                self._finish(audit_id, AuditStatus.INTERRUPTED, "interrupted: the server stopped; resume to finish")
            else:
                self._finish(audit_id, AuditStatus.CANCELLED, "cancelled")
        except ConfigError as exc:
            self._finish(audit_id, AuditStatus.FAILED, "the config has problems", "\n".join(map(str, exc.issues)))
        except SyntheticInputError as exc:
            self._finish(audit_id, AuditStatus.FAILED, "the tables have problems", "\n".join(exc.problems))
        except Exception as exc:
            log.exception("audit %s failed", audit_id)
            self._finish(audit_id, AuditStatus.FAILED, "failed", f"{type(exc).__name__}: {exc}")
        else:
            self._finish(audit_id, AuditStatus.DONE, "done")

    def _finish(self, audit_id: str, status: AuditStatus, stage: str, error: str | None = None) -> None:
        """Record the outcome in the database, then announce it: whoever sees it live finds it stored too."""
        changes = {"status": status.value, "stage": stage, "error": error}
        with self._lock:
            snap = {**self._live[audit_id].snapshot, **changes}
        snap["log"] = [*snap["log"], stage][-LOG_LINES:]
        self.db.update(audit_id, status=status.value, stage=stage, error=error, finished=utcnow(),
                       progress_json=json.dumps(snap))
        self.update_live(audit_id, changes, stage)
        with self._lock:
            self._live.pop(audit_id, None)
