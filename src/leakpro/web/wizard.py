"""The wizards: a membership audit (built-in demo, or uploaded data and model), a synthetic-data audit, and a
language-model audit (the built-in ``leakpro demo --llm``, or a .zip of a ``save_pretrained`` directory with the
member and non-member texts: :mod:`leakpro.web.llm_upload`).

Each POST saves the uploads into a fresh audit directory, turns the fields into a config, validates it with
the audit API's own checks, and only then records the audit and queues it. On any problem the directory is
removed and the form comes back with every problem listed (field, problem, fix) and the values kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from leakpro.config.errors import ConfigIssue
from leakpro.web.app import AppState, render, state
from leakpro.web.db import new_audit_id
from leakpro.web.forms import (
    attack_choices,
    config_yaml,
    membership_config,
    synthetic_config,
    validate_membership,
    validate_synthetic,
    write_example_tables,
)
from leakpro.web.models import AuditFile, AuditKind
from leakpro.web.storage import AuditDir
from leakpro.web.uploads import UploadError, save_upload

router = APIRouter()
MAX_FIELDS = 200


def _values(form: FormData | None) -> dict[str, str]:
    return {k: v for k, v in (form or {}).items() if isinstance(v, str)}


def _membership_page(request: Request, form: FormData | None = None, issues: list[ConfigIssue] | None = None,
                     status_code: int = 200) -> HTMLResponse:
    from leakpro.training.models import registered_models

    chosen = form.getlist("attacks") if form is not None else None
    return render(request, "new_audit.html.j2", status_code, attacks=attack_choices(), chosen=chosen,
                  values=_values(form), issues=issues or [], architectures=registered_models())


def _synthetic_page(request: Request, form: FormData | None = None, issues: list[str] | None = None,
                    status_code: int = 200) -> HTMLResponse:
    return render(request, "synthetic.html.j2", status_code, values=_values(form), issues=issues or [])


@router.get("/audits/new", response_class=HTMLResponse)
async def new_audit(request: Request) -> HTMLResponse:
    return _membership_page(request)


@router.get("/synthetic/new", response_class=HTMLResponse)
async def new_synthetic(request: Request) -> HTMLResponse:
    return _synthetic_page(request)


async def _save(form: FormData, st: AppState, d: AuditDir, fields: dict[str, str]) -> list[AuditFile]:
    """Save the file fields (form field -> role) into the audit's ``inputs/``; raise UploadError on the first bad."""
    saved = []
    for field, role in fields.items():
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise UploadError(field, "no file was chosen", "choose the file to upload")
        saved.append(await save_upload(upload, field, role, d.inputs, st.settings.max_file_bytes))
    return saved


async def _prepare_membership(form: FormData, st: AppState, d: AuditDir) -> tuple[dict[str, Any], list[AuditFile],
                                                                                 list[ConfigIssue]]:
    files: list[AuditFile] = []
    if form.get("source") == "upload":
        try:
            files = await _save(form, st, d, {"data_file": "data", "model_file": "model"})
        except UploadError as exc:
            return {}, [], [exc.issue]
    suffix = {f.role: "." + f.stored_name.rsplit(".", 1)[-1] for f in files}
    config, issues = membership_config(form, suffix.get("data"), suffix.get("model"))
    if not issues:
        issues = await run_in_threadpool(validate_membership, config, d)
    return config, files, issues


Queued = tuple[AuditKind, str, dict[str, Any], list[AuditFile]]  # what an audit is recorded with


async def _queue(request: Request, form: FormData,
                 prepare: Callable[[AuditDir], Awaitable[Queued | Response]]) -> Response:
    """Create a new audit's folder and let ``prepare`` fill it: it answers with the form's error page, or with what
    the audit is recorded with; the audit's job is then started. The folder is removed whenever the audit was not
    recorded (an error page, or an exception)."""
    st = state(request)
    audit_id = new_audit_id()
    d = st.storage.create(audit_id)
    ok = False
    try:
        prepared = await prepare(d)
        if isinstance(prepared, Response):
            return prepared
        kind, name, config, files = prepared
        st.db.create_audit(audit_id, kind, name, config, form.get("pdf") is not None, files)
        ok = True
    finally:
        if not ok:
            st.storage.remove(audit_id)
    st.jobs.submit(audit_id)
    return RedirectResponse(f"/audits/{audit_id}", status_code=303)


@router.post("/audits", response_model=None)
async def create_membership(request: Request) -> Response:
    st = state(request)
    form = await request.form(max_files=4, max_fields=MAX_FIELDS)

    async def prepare(d: AuditDir) -> Queued | Response:
        config, files, issues = await _prepare_membership(form, st, d)
        if issues:
            return _membership_page(request, form, issues, 422)
        return AuditKind.MEMBERSHIP, str(config.get("name", "audit")), config, files

    return await _queue(request, form, prepare)


async def _prepare_synthetic(form: FormData, st: AppState, d: AuditDir) -> tuple[dict[str, Any], list[AuditFile],
                                                                                list[str]]:
    files: list[AuditFile] = []
    if form.get("source") == "example":
        seed = str(form.get("seed") or "0")
        suffixes = await run_in_threadpool(write_example_tables, d, int(seed) if seed.isdigit() else 0)
    else:
        try:
            files = await _save(form, st, d, {f"{r}_file": r for r in ("real", "synthetic", "control")})
        except UploadError as exc:
            return {}, [], [str(exc.issue)]
        suffixes = {f.role: "." + f.stored_name.rsplit(".", 1)[-1] for f in files}
    config, issues = synthetic_config(form, suffixes)
    if issues:
        return config, files, [str(i) for i in issues]
    return config, files, await run_in_threadpool(validate_synthetic, config, d)


@router.post("/synthetic", response_model=None)
async def create_synthetic(request: Request) -> Response:
    st = state(request)
    form = await request.form(max_files=4, max_fields=MAX_FIELDS)

    async def prepare(d: AuditDir) -> Queued | Response:
        config, files, problems = await _prepare_synthetic(form, st, d)
        if problems:
            return _synthetic_page(request, form, problems, 422)
        return AuditKind.SYNTHETIC, str(form.get("name") or "").strip() or "synthetic-data audit", config, files

    return await _queue(request, form, prepare)


def _llm_page(request: Request, form: FormData | None = None, issues: list[str] | list[ConfigIssue] | None = None,
              status_code: int = 200) -> HTMLResponse:
    return render(request, "llm.html.j2", status_code, values=_values(form), issues=issues or [])


@router.get("/llm/new", response_class=HTMLResponse)
async def new_llm(request: Request) -> HTMLResponse:
    return _llm_page(request)


async def _create_llm_upload(request: Request, form: FormData) -> Response:
    """Queue the audit of an uploaded model (a save_pretrained .zip) on the uploaded member/non-member texts."""
    from leakpro.web.llm_upload import build_llm_config, save_llm_uploads

    st = state(request)
    seed = str(form.get("seed") or "0").strip()
    name = str(form.get("name") or "").strip() or "language-model audit"

    async def prepare(d: AuditDir) -> Queued | Response:
        files, issues = await save_llm_uploads(form, d, st.settings.max_file_bytes)
        if not seed.isdigit():
            issues.append(ConfigIssue("seed", "expected a whole number ≥ 0", "enter e.g. 0", seed[:40]))
        config: dict[str, Any] = {}
        if not issues:
            config, issues = await run_in_threadpool(build_llm_config, name, int(seed), d, files,
                                                     st.settings.max_file_bytes)
        if issues:
            return _llm_page(request, form, issues, 422)
        d.config.write_text(config_yaml(config), encoding="utf-8")
        return AuditKind.LLM, name, config, files

    return await _queue(request, form, prepare)


@router.post("/llm", response_model=None)
async def create_llm(request: Request) -> Response:
    """Queue a language-model audit: the built-in demo (a tiny GPT-2 fine-tuned on fortunes, its null, canaries),
    or an uploaded model (``source=upload``)."""
    form = await request.form(max_files=4, max_fields=MAX_FIELDS)
    if form.get("source") == "upload":
        return await _create_llm_upload(request, form)
    seed, size = str(form.get("seed") or "0").strip(), str(form.get("demo_size") or "quick")
    problems = []
    if not seed.isdigit():
        problems.append(f"seed: expected a whole number ≥ 0 (got {seed!r}); fix: enter e.g. 0")
    if size not in ("quick", "full"):
        problems.append(f"demo_size: expected quick or full (got {size!r}); fix: choose one of the two")
    if problems:
        return _llm_page(request, form, problems, 422)
    name = str(form.get("name") or "").strip() or "language-model demo"
    config: dict[str, Any] = {"name": name, "seed": int(seed), "llm_demo": {"size": size}}

    async def prepare(d: AuditDir) -> Queued | Response:
        d.config.write_text(config_yaml(config), encoding="utf-8")
        return AuditKind.LLM, name, config, []

    return await _queue(request, form, prepare)
