"""The security headers in a real browser (headless Chromium): the app's own forms pass the origin check, pages and
the report run under their CSP without a single violation, hostile names never run, and a form posted from a
``data:`` page (``Origin: null``) or another site is refused.
"""

from __future__ import annotations

import http.server
import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from leakpro.web.app import WebSettings, create_app
from leakpro.web.db import new_audit_id
from leakpro.web.models import AuditKind

from .conftest import LiveServer

pytestmark = pytest.mark.slow

XSS = "XSS\"'></title><img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Result files with a payload in every name, and the report drawn from them: rendered once for the module."""
    from hostile.test_report_escaping import write_hostile_report  # tests/hostile: a payload in every name

    out = tmp_path_factory.mktemp("hostile-results")
    write_hostile_report(out)
    return out


def _audit(app: FastAPI, name: str, status: str, results: Path | None) -> str:
    st = app.state.leakpro
    audit_id = new_audit_id()
    d = st.storage.create(audit_id)
    d.out.mkdir()
    d.config.write_text(f"name: {name!r}\n", encoding="utf-8")
    if results is not None:
        shutil.copytree(results, d.out, dirs_exist_ok=True)
    st.db.create_audit(audit_id, AuditKind.MEMBERSHIP, name, {}, False, [])
    st.db.update(audit_id, status=status)
    return str(audit_id)


class Site:
    def __init__(self, server: LiveServer, app: FastAPI) -> None:
        self.server, self.app, self.url = server, app, server.url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app = create_app(WebSettings(data_dir=tmp_path_factory.mktemp("web-security") / "data"))
    with LiveServer(app) as server:
        yield Site(server, app)
    app.state.leakpro.jobs.stop()


class Watched:
    """A page with its console errors (CSP violations are console errors), dialogs and requests."""

    def __init__(self, page: Any) -> None:
        self.page, self.errors, self.dialogs, self.requests = page, [], [], []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: self.requests.append(r))


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield Watched(page)
    context.close()


def test_the_apps_own_form_posts_send_their_origin_and_pass(site: Site, watched: Watched) -> None:
    page = watched.page
    page.goto(site.url + "/audits/new")
    page.check("input[name=source][value=upload]")
    page.fill("input[name=name]", XSS)
    with page.expect_response(lambda r: r.url.endswith("/audits") and r.request.method == "POST") as info:
        page.click("button:has-text('Run the audit')")
    response = info.value
    assert response.request.headers.get("origin") == site.url  # not "null": Referrer-Policy is same-origin
    assert response.status == 422  # the form came back with its problems, not refused as cross-site
    page.wait_for_selector("[data-testid=issues]")
    assert page.input_value("input[name=name]") == XSS  # the value is kept, as text
    assert watched.dialogs == []
    assert [e for e in watched.errors if "status of 422" not in e] == []  # the 422 itself is logged


def test_pages_and_report_run_under_their_csp_and_names_never_run(site: Site, watched: Watched,
                                                                  hostile_files: Path) -> None:
    page = watched.page
    done = _audit(site.app, XSS, "done", results=hostile_files)
    running = _audit(site.app, XSS, "running", results=None)
    for path in ["/", "/audits/new", "/synthetic/new", f"/audits/{running}", f"/audits/{done}/results",
                 f"/compare?a={done}&b={done}", f"/audits/{done}/files/report.html"]:
        page.goto(site.url + path)
        page.wait_for_load_state("load")
        assert watched.dialogs == [], (path, watched.dialogs)
        assert watched.errors == [], (path, watched.errors)  # no CSP violation, no script error
    # the report, opened on its own: styled (its stylesheet allowed by hash) and alive (its script too)
    page.goto(f"{site.url}/audits/{done}/files/report.html")
    assert page.eval_on_selector(".verdict, .badge", "e => getComputedStyle(e).borderRadius") != "0px"
    assert page.inner_text("output.thr").strip() != ""
    assert "XSS" in page.inner_text("body")  # the hostile names are there, as text
    # ... and inside the results page's sandboxed frame
    page.goto(f"{site.url}/audits/{done}/results")
    frame = page.frame_locator("iframe.report")
    assert frame.locator("output.thr").first.inner_text().strip() != ""
    assert watched.dialogs == [] and watched.errors == []


def test_the_report_file_runs_under_its_own_meta_csp(site: Site, watched: Watched, hostile_files: Path) -> None:
    page = watched.page
    page.goto((hostile_files / "report.html").as_uri())
    assert page.inner_text("output.thr").strip() != ""
    assert watched.dialogs == [] and watched.errors == []


class Attacker:
    """Another site on another local port, serving whatever page a test sets."""

    def __init__(self) -> None:
        self.html = ""
        attacker = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = attacker.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def attacker() -> Iterator[Attacker]:
    a = Attacker()
    yield a
    a.httpd.shutdown()
    a.httpd.server_close()


def _frame_at(page: Any, suffix: str, timeout_s: float = 20) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame.url.endswith(suffix):
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no frame navigated to ...{suffix}: {[f.url for f in page.frames]}")


FROM = ["data: page", "sandboxed frame on another site", "page on another local port"]


@pytest.mark.parametrize("source", FROM)
def test_a_form_from_another_site_is_refused(site: Site, attacker: Attacker, watched: Watched, source: str) -> None:
    audit_id = _audit(site.app, "victim", "running", results=None)
    form = (f"<form method=post action='{site.url}/audits/{audit_id}/cancel'><button>go</button></form>"
            "<script>document.forms[0].submit()</script>")
    page = watched.page
    if source == "sandboxed frame on another site":  # Playwright does not report a srcdoc frame's requests
        attacker.html = f'<iframe sandbox="allow-forms allow-scripts" srcdoc="{form}"></iframe>'
        page.goto(attacker.url)
        frame = _frame_at(page, "/cancel")
        frame.wait_for_load_state()
        assert "Cross-site request refused" in frame.inner_text("body")
    else:
        with page.expect_response(lambda r: r.url.endswith("/cancel")) as info:
            if source == "data: page":
                page.goto("data:text/html," + urllib.parse.quote(form))
            else:
                attacker.html = form
                page.goto(attacker.url)
        response = info.value
        sent = response.request.headers.get("origin")
        assert sent == ("null" if source == "data: page" else attacker.url.rstrip("/")), sent
        assert response.status == 403
    assert site.app.state.leakpro.jobs.cancel_requested(audit_id) is False
