"""The web app: settings, the FastAPI application, its security middleware, and what it shares between pages.

>>> # app = create_app(WebSettings(data_dir=Path("web-data")))   # serve with uvicorn.run(app, ...)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from leakpro.report import fmt
from leakpro.web.db import Database
from leakpro.web.jobs import JobManager
from leakpro.web.security import SecurityMiddleware
from leakpro.web.storage import Storage

HERE = Path(__file__).parent
MiB = 2**20


@dataclass(frozen=True)
class WebSettings:
    """How the app runs: where it keeps its data, its token, and its limits."""

    data_dir: Path
    token: str | None = None
    loopback_only: bool = True  # refuse Host headers that are not this computer (DNS rebinding)
    max_file_bytes: int = 256 * MiB
    workers: int = 1

    @property
    def max_request_bytes(self) -> int:
        return 3 * self.max_file_bytes + MiB  # three tables, or data + model, plus the form fields


@dataclass
class AppState:
    settings: WebSettings
    db: Database
    storage: Storage
    jobs: JobManager
    templates: Jinja2Templates


def state(request: Request) -> AppState:
    value: AppState = request.app.state.leakpro
    return value


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    st = state(request)
    return st.templates.TemplateResponse(request, template, {"token_mode": st.settings.token is not None, **context},
                                         status_code=status_code)


def _templates() -> Jinja2Templates:
    """Every page escapes what it shows: autoescape for all templates (starlette's default skips ``.html.j2``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    templates = Jinja2Templates(env=env)
    templates.env.filters.update(fmt.FILTERS)
    templates.env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else "—"
    return templates


def create_app(settings: WebSettings) -> FastAPI:
    """Migrate the database, mark audits a previous process left running as interrupted, start the workers."""
    from leakpro.web import pages, wizard

    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(data_dir)
    db.migrate()
    db.mark_interrupted()
    storage = Storage(data_dir)
    jobs = JobManager(db, storage, settings.workers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.stop()

    app = FastAPI(title="LeakPro", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.leakpro = AppState(settings, db, storage, jobs, _templates())
    app.add_middleware(SecurityMiddleware, token=settings.token, loopback_only=settings.loopback_only,
                       max_body_bytes=settings.max_request_bytes)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(wizard.router)  # first: /audits/new is not an audit id
    app.include_router(pages.router)
    jobs.start()
    return app
