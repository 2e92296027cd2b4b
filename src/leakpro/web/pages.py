"""Pages over recorded audits: history, the job page with live progress, results, downloads, comparison."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse

from leakpro.report.render import report_csp
from leakpro.web.app import AppState, render, state
from leakpro.web.models import Audit, AuditStatus
from leakpro.web.storage import DOWNLOADS, AuditDir
from leakpro.web.summary import Glance, compare, glance

router = APIRouter()
# The self-contained report inlines its stylesheet and script: allowed by hash, and nothing else. The sandbox gives
# it an origin of its own, so even a script it should not hold could not act as this app.
REPORT_CSP = f"{report_csp()}; frame-ancestors 'self'; sandbox allow-scripts allow-popups"
POLL_S = 0.25
HEARTBEAT_S = 15.0


def _audit(st: AppState, audit_id: str) -> tuple[Audit, AuditDir]:
    try:
        d = st.storage.audit(audit_id)
    except ValueError:
        raise HTTPException(404, "no such audit") from None
    audit = st.db.get(audit_id)
    if audit is None:
        raise HTTPException(404, "no such audit")
    return audit, d


def _glance(d: AuditDir) -> tuple[Glance | None, str | None]:
    try:
        return glance(d), None
    except (ValueError, OSError) as exc:  # a results file this version cannot read: say so, keep the downloads
        return None, f"{type(exc).__name__}: {str(exc)[:300]}"


def demo_fields() -> list[tuple[str, str]]:
    """The form fields of the home page's demo button: the new-audit wizard's defaults for the built-in demo
    (quick size, a null control, the default score attacks, a PDF), posted to the same ``/audits``."""
    from leakpro.web.forms import attack_choices

    fields = [("source", "demo"), ("demo_size", "quick"), ("name", "built-in demo"), ("threat_model", "scores"),
              ("null_target", "on"), ("pdf", "on")]
    return fields + [("attacks", c.key) for c in attack_choices() if c.default and "scores" in c.threat_models]


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "home.html.j2", audits=state(request).db.audits(), demo_fields=demo_fields())


@router.get("/audits/{audit_id}", response_class=HTMLResponse)
async def job_page(request: Request, audit_id: str) -> HTMLResponse:
    st = state(request)
    audit, d = _audit(st, audit_id)
    snap = st.jobs.snapshot(audit_id)
    return render(request, "job.html.j2", audit=audit, progress=snap[1] if snap else {},
                  downloads=d.available(), config_text=d.config.read_text(encoding="utf-8") if d.config.is_file()
                  else "")


@router.get("/audits/{audit_id}/progress")
async def progress(request: Request, audit_id: str) -> JSONResponse:
    st = state(request)
    _audit(st, audit_id)
    snap = st.jobs.snapshot(audit_id)
    return JSONResponse(snap[1] if snap else {})


@router.get("/audits/{audit_id}/events")
async def events(request: Request, audit_id: str) -> StreamingResponse:
    """Server-sent events: the progress snapshot on every change, then ``end`` once the audit has stopped."""
    st = state(request)
    _audit(st, audit_id)

    async def stream() -> AsyncIterator[str]:
        last, idle = -1, 0.0
        while True:
            snap = st.jobs.snapshot(audit_id)
            if snap is None:
                return
            version, data = snap
            if version != last:
                last, idle = version, 0.0
                yield f"event: progress\ndata: {json.dumps(data)}\n\n"
            if AuditStatus(data.get("status", "queued")).final:
                yield "event: end\ndata: {}\n\n"
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(POLL_S)
            idle += POLL_S
            if idle >= HEARTBEAT_S:
                idle = 0.0
                yield ": still working\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.post("/audits/{audit_id}/cancel")
async def cancel(request: Request, audit_id: str) -> RedirectResponse:
    st = state(request)
    _audit(st, audit_id)
    st.jobs.cancel(audit_id)
    return RedirectResponse(f"/audits/{audit_id}", status_code=303)


@router.post("/audits/{audit_id}/resume")
async def resume(request: Request, audit_id: str) -> RedirectResponse:
    st = state(request)
    audit, _ = _audit(st, audit_id)
    if not st.jobs.resume(audit_id):
        raise HTTPException(409, f"an audit that is {audit.status} cannot be resumed")
    return RedirectResponse(f"/audits/{audit_id}", status_code=303)


@router.get("/audits/{audit_id}/results", response_class=HTMLResponse)
async def results(request: Request, audit_id: str) -> HTMLResponse:
    st = state(request)
    audit, d = _audit(st, audit_id)
    figures, problem = _glance(d)
    return render(request, "results.html.j2", audit=audit, glance=figures, problem=problem, downloads=d.available())


@router.get("/audits/{audit_id}/files/{name}")
async def download(request: Request, audit_id: str, name: str) -> FileResponse:
    """One of the audit's fixed downloads; never a path the request names."""
    st = state(request)
    _, d = _audit(st, audit_id)
    path = d.download(name)
    if path is None:
        raise HTTPException(404, f"{name!r} is not a file of this audit")
    inline = name == "report.html"
    return FileResponse(path, media_type=DOWNLOADS[name][1], filename=None if inline else f"{audit_id[:8]}-{name}",
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"content-security-policy": REPORT_CSP} if inline else None)


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(request: Request, a: str | None = None, b: str | None = None) -> HTMLResponse:
    st = state(request)
    audits = [x for x in st.db.audits() if x.state == AuditStatus.DONE]
    left = _audit(st, a) if a else None
    right = _audit(st, b) if b else None
    pairs = compare(_glance(left[1])[0], _glance(right[1])[0]) if left and right else []
    return render(request, "compare.html.j2", audits=audits, a=left[0] if left else None,
                  b=right[0] if right else None, pairs=pairs)
