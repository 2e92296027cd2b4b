"""Hostile text on every page of the web app: stored (audit names, errors, configs, result files) and reflected (the
wizards' 422 pages, upload file names). Each field carries markup that would run a script in text, attribute and
``<title>`` position; a case passes when the page shows the field's text and none of its tags exist. The pages'
CSP must allow no inline script or style, so that one missed escape is still not an exploit.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leakpro.web.app import WebSettings, create_app
from leakpro.web.db import new_audit_id
from leakpro.web.models import AuditKind

from .test_report_escaping import Parsed, csp_hash, parse, write_hostile_report

BASE = "http://127.0.0.1:8765"


def payload(key: str) -> str:
    """Visible marker ``XSS[key]`` plus markup that runs a script in text, attribute and ``<title>`` position."""
    return (f"XSS[{key}]\"'></title><img src=x onerror=alert(1) data-xss={key}>"
            f"<script data-xss={key}>alert(1)</script>")


def app_client(data_dir: Path, **settings: Any) -> TestClient:
    return TestClient(create_app(WebSettings(data_dir=data_dir, **settings)), base_url=BASE, follow_redirects=False)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    c = app_client(tmp_path / "data", max_file_bytes=256 * 1024)
    yield c
    c.app.state.leakpro.jobs.stop()  # type: ignore[attr-defined]


def fake_audit(c: TestClient, name: str, *, status: str = "done", error: str | None = None,
               config: str = "seed: 0\n", results: Callable[[Path], None] | None = None,
               kind: AuditKind = AuditKind.MEMBERSHIP) -> str:
    """An audit recorded as if it had run: its name, error, config and result files are the caller's."""
    st = c.app.state.leakpro  # type: ignore[attr-defined]
    audit_id = new_audit_id()
    d = st.storage.create(audit_id)
    d.out.mkdir()
    d.config.write_text(config, encoding="utf-8")
    if results is not None:
        results(d.out)
    st.db.create_audit(audit_id, kind, name, {}, False, [])
    st.db.update(audit_id, status=status, error=error)
    return str(audit_id)


_RENDERED: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def _hostile_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The hostile result files and their report, rendered once for this module (they are the same every time)."""
    folder = tmp_path_factory.mktemp("hostile-results")
    write_hostile_report(folder)
    _RENDERED["folder"] = folder
    yield
    _RENDERED.clear()


def hostile_results(out: Path) -> None:
    """Membership and synthetic results with payloads in every name, and the report drawn from them (a copy of
    the files rendered once for this module)."""
    shutil.copytree(_RENDERED["folder"], out, dirs_exist_ok=True)


def assert_safe(page: Parsed, key: str) -> None:
    assert page.injected(key) == [], f"{key}: user text became markup"
    assert page.handlers() == [], "an inline event handler reached the page"
    assert page.shows(key), f"{key}: the field is not on the page (the case would prove nothing)"


# --- stored: what one user typed, shown to whoever opens the page ---------------------------------------------

STORED_PAGES = ["home", "job", "job-error", "job-config", "results", "results-problem", "compare"]


def _stored_page(c: TestClient, case: str) -> tuple[str, str]:
    key = case.replace("-", "_")
    p = payload(key)
    if case == "home":
        fake_audit(c, p)
        return key, c.get("/").text
    if case == "job":
        return key, c.get(f"/audits/{fake_audit(c, p, status='failed')}").text
    if case == "job-error":
        return key, c.get(f"/audits/{fake_audit(c, 'x', status='failed', error=p)}").text
    if case == "job-config":
        return key, c.get(f"/audits/{fake_audit(c, 'x', config=f'name: {p!r}')}").text
    if case == "results":
        return key, c.get(f"/audits/{fake_audit(c, p)}/results").text
    if case == "results-problem":  # a results file this version cannot read: the reason quotes its start
        short = "XSS[rp]<svg onload=alert(1) data-xss=rp>"  # pydantic shortens longer input in its message
        audit_id = fake_audit(c, "x", results=lambda out: (out / "results.json").write_text(short))
        return "rp", c.get(f"/audits/{audit_id}/results").text
    a, b = fake_audit(c, p, results=hostile_results), fake_audit(c, "other", results=hostile_results)
    return key, c.get(f"/compare?a={a}&b={b}").text


@pytest.mark.parametrize("case", STORED_PAGES)
def test_stored_text_is_escaped(client: TestClient, case: str) -> None:
    key, text = _stored_page(client, case)
    assert_safe(parse(text), key)


RESULT_FIELDS = ["target_name", "attack_id", "attack_title", "column", "variant"]


@pytest.fixture
def results_page(client: TestClient) -> Parsed:
    return parse(client.get(f"/audits/{fake_audit(client, 'r', results=hostile_results)}/results").text)


@pytest.mark.parametrize("key", RESULT_FIELDS)
def test_result_file_names_on_the_results_page_are_escaped(results_page: Parsed, key: str) -> None:
    """Target names, attack ids and titles, synthetic column names and variants come from the result files."""
    assert_safe(results_page, key)


def test_the_served_report_is_escaped_and_styled_by_hash(client: TestClient) -> None:
    audit_id = fake_audit(client, "r", results=hostile_results)
    r = client.get(f"/audits/{audit_id}/files/report.html")
    assert r.status_code == 200
    page = parse(r.text)
    for key in ("target_name", "column", "dataset_name", "attack_paper"):
        assert_safe(page, key)
    csp = r.headers["content-security-policy"]
    assert r.headers.get_list("content-security-policy") == [csp]  # the app's own CSP does not also apply
    assert "unsafe-inline" not in csp and "sandbox" in csp and "frame-ancestors 'self'" in csp
    code = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    assert len(code) == 1 and len(page.styles) == 1
    assert f"'{csp_hash(code[0])}'" in csp and f"'{csp_hash(page.styles[0])}'" in csp  # it still runs and is styled


# --- reflected: the wizards give the form back with the problems and the values kept --------------------------

MEMBERSHIP_FIELDS = ["name", "label", "members", "population", "features", "model_params", "lr", "batch_size",
                     "weight_decay", "trusted_types", "reference_models", "epochs", "seed"]
SYNTHETIC_FIELDS = ["name", "secrets", "aux_columns", "n_attacks", "seed"]


@pytest.mark.parametrize("field", MEMBERSHIP_FIELDS)
def test_membership_wizard_reflects_values_escaped(client: TestClient, field: str) -> None:
    form = {"source": "upload", "threat_model": "scores", "attacks": ["loss"], field: payload(field)}
    r = client.post("/audits", data=form)  # no files: refused (422) with the values kept
    assert r.status_code == 422
    assert_safe(parse(r.text), field)


@pytest.mark.parametrize("field", SYNTHETIC_FIELDS)
def test_synthetic_wizard_reflects_values_escaped(client: TestClient, field: str) -> None:
    r = client.post("/synthetic", data={"source": "upload", field: payload(field)})
    assert r.status_code == 422
    assert_safe(parse(r.text), field)


@pytest.mark.parametrize(("url", "field", "role"), [
    ("/audits", "data_file", "data"), ("/audits", "model_file", "model"), ("/synthetic", "real_file", "real")])
def test_upload_file_name_is_escaped(client: TestClient, url: str, field: str, role: str) -> None:
    name = payload(role) + ".exe"  # no slash: a plain name, refused for its type and shown back
    files = {field: (name, b"a,b\n1,2\n", "application/octet-stream")}
    if field == "model_file":
        files["data_file"] = ("data.csv", b"a,y,m\n1,0,1\n", "text/csv")
    r = client.post(url, files=files, data={"source": "upload", "label": "y", "members": "m", "attacks": ["loss"]})
    assert r.status_code == 422
    assert_safe(parse(r.text), role)


# --- CSP and inline code on every page type ------------------------------------------------------------------

def _csp(headers: Any) -> dict[str, list[str]]:
    values = headers.get_list("content-security-policy")
    assert len(values) == 1, values
    return {d.split()[0]: d.split()[1:] for d in values[0].split(";") if d.strip()}


PAGE_TYPES = ["home", "new-audit", "new-synthetic", "membership-422", "synthetic-422", "job", "results", "compare"]


def _page(c: TestClient, kind: str) -> Any:
    audit_id = fake_audit(c, "csp", results=hostile_results)
    return {
        "home": lambda: c.get("/"), "new-audit": lambda: c.get("/audits/new"),
        "new-synthetic": lambda: c.get("/synthetic/new"),
        "membership-422": lambda: c.post("/audits", data={"source": "upload"}),
        "synthetic-422": lambda: c.post("/synthetic", data={"source": "upload"}),
        "job": lambda: c.get(f"/audits/{audit_id}"), "results": lambda: c.get(f"/audits/{audit_id}/results"),
        "compare": lambda: c.get(f"/compare?a={audit_id}&b={audit_id}"),
    }[kind]()


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_csp_allows_no_inline_code(client: TestClient, kind: str) -> None:
    r = _page(client, kind)
    assert r.status_code in (200, 422)
    csp = _csp(r.headers)
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"], csp
    sources = {s for values in csp.values() for s in values}
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    # ... and the page needs none: every script is a file of this server, no style blocks or attributes
    page = parse(r.text)
    assert [a for a, _ in page.scripts if not (a.get("src") or "").startswith("/static/")] == []
    assert page.styles == [] and [t for t, a in page.tags if "style" in a] == [] and page.handlers() == []
    assert r.headers["x-content-type-options"] == "nosniff"


def test_static_files_and_errors_are_not_html(client: TestClient) -> None:
    """What a page could be tricked into loading as a script is not: JSON and text carry nosniff."""
    for url, kind in [("/static/app.js", "javascript"), ("/static/app.css", "text/css"),
                      (f"/audits/{'0' * 32}/progress", "application/json"), ("/audits/x/files/y", "application/json")]:
        r = client.get(url)
        assert kind in r.headers["content-type"], url
        assert r.headers["x-content-type-options"] == "nosniff", url
    r = client.get("/", headers={"host": "attacker.example"})  # the middleware's own refusals
    assert r.status_code == 421 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["x-content-type-options"] == "nosniff"


def test_templates_use_no_safe_filter_or_inline_code(client: TestClient) -> None:
    """The web templates escape everything: no ``|safe``, no Markup, no inline script/style/handlers."""
    env = client.app.state.leakpro.templates.env  # type: ignore[attr-defined]
    folder = Path(env.loader.searchpath[0])
    for path in folder.glob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "") and "Markup" not in text, path.name
        assert not re.search(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=", text), path.name
    out = env.get_template("issues.html.j2").render(issues=["<b>x</b>"])  # whatever the template's name
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "<b>x</b>" not in out
