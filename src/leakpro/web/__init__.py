"""A local web app over the audit API: run audits in the browser, watch them, read and compare their reports.

It is a face, not a second implementation: membership audits go through :func:`leakpro.audit.runner.run_audit`,
synthetic-data audits through :func:`leakpro.commands.synthetic.run_synthetic`, and every results view is the
report drawn by :func:`leakpro.report.render_report` from ``results.json``.

Audit history lives in SQLite (SQLAlchemy 2, Alembic migrations run at start). Each audit keeps its uploads,
config, cache and results in its own directory under the data directory. The server binds to loopback unless
it is given a token, which every request must then carry.

>>> # from leakpro.web.cli import serve_command
>>> # serve_command("127.0.0.1", 8765, None, Path("~/.leakpro-web").expanduser(), open_browser=True)
"""

from __future__ import annotations
