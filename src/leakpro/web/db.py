"""The audit history in SQLite: engine, migrations (Alembic, run at start) and the few queries the app needs.

Sessions are short: every function opens one, commits and returns detached rows (``expire_on_commit=False``),
so worker threads and request handlers never share a session.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from leakpro.web.models import Audit, AuditFile, AuditKind, AuditStatus, utcnow

MIGRATIONS = Path(__file__).parent / "migrations"
DB_FILE = "leakpro-web.sqlite3"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def new_audit_id() -> str:
    return uuid.uuid4().hex


class Database:
    """The app's SQLite database under ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_FILE
        self.engine: Engine = create_engine(
            f"sqlite:///{self.path}", connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (creates the tables on first start)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    def create_audit(self, audit_id: str, kind: AuditKind, name: str, spec: dict[str, Any], pdf: bool,
                     files: list[AuditFile]) -> Audit:
        audit = Audit(id=audit_id, kind=kind.value, name=name[:200], status=AuditStatus.QUEUED.value,
                      spec_json=json.dumps(spec), pdf=int(pdf), stage="queued", progress_json="{}", attempts=0,
                      created=utcnow())
        audit.files = files
        with self.session() as s:
            s.add(audit)
        return audit

    def get(self, audit_id: str) -> Audit | None:
        with self.session() as s:
            return s.get(Audit, audit_id)

    def audits(self, limit: int = 500) -> list[Audit]:
        with self.session() as s:
            return list(s.scalars(select(Audit).order_by(Audit.created.desc()).limit(limit)))

    def update(self, audit_id: str, **fields: Any) -> None:
        with self.session() as s:
            audit = s.get(Audit, audit_id)
            if audit is None:
                raise KeyError(audit_id)
            for key, value in fields.items():
                setattr(audit, key, value)

    def mark_interrupted(self) -> list[str]:
        """Audits left queued or running by a previous server process: they can no longer finish."""
        with self.session() as s:
            stale = list(s.scalars(select(Audit).where(
                Audit.status.in_([AuditStatus.QUEUED.value, AuditStatus.RUNNING.value]))))
            for audit in stale:
                audit.status = AuditStatus.INTERRUPTED.value
                audit.stage = "interrupted: the server stopped before the audit finished"
                audit.finished = utcnow()
            return [a.id for a in stale]
