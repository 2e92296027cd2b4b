"""Alembic environment: runs on the connection :func:`leakpro.web.db.Database.migrate` hands over."""

from __future__ import annotations

from alembic import context

from leakpro.web.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the web app's migrations through leakpro.web.db.Database.migrate()")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
