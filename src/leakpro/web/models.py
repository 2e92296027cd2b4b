"""The web app's tables: one row per audit, one per file uploaded to it (SQLAlchemy 2 declarative models).

The schema changes only through Alembic revisions in :mod:`leakpro.web.migrations`; a test checks that the
models and the migrations agree.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class AuditStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # the server stopped while the audit was queued or running

    @property
    def final(self) -> bool:
        return self in (AuditStatus.DONE, AuditStatus.FAILED, AuditStatus.CANCELLED, AuditStatus.INTERRUPTED)

    @property
    def resumable(self) -> bool:
        return self in (AuditStatus.FAILED, AuditStatus.CANCELLED, AuditStatus.INTERRUPTED)


class AuditKind(StrEnum):
    MEMBERSHIP = "membership"
    SYNTHETIC = "synthetic"
    LLM = "llm"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Audit(Base):
    """An audit: what was asked (``spec_json``: the membership config or the synthetic options) and its state."""

    __tablename__ = "audits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    spec_json: Mapped[str] = mapped_column(Text)
    pdf: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str] = mapped_column(String(300), default="")
    progress_json: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    files: Mapped[list[AuditFile]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", lazy="selectin", order_by="AuditFile.id"
    )

    @property
    def state(self) -> AuditStatus:
        return AuditStatus(self.status)


class AuditFile(Base):
    """A file uploaded to an audit, stored under the audit's own ``inputs/`` directory as ``stored_name``."""

    __tablename__ = "audit_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    stored_name: Mapped[str] = mapped_column(String(255))
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    audit: Mapped[Audit] = relationship(back_populates="files")
