"""The home page's demo button (issue 15 item 12): its form runs the built-in demo, under the app's origin rules;
and the web jobs read configs with the project's one YAML reader (issue 14's loose end)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from leakpro.web.app import WebSettings, create_app

from .conftest import BASE, LiveServer, audit_id_of, wait_for


class _Forms(HTMLParser):
    """Every form of a page: its attributes and (name, value) of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({**a, "fields": [], "buttons": []})
            self._open = True
        elif self._open and tag == "input" and a.get("name"):
            self.forms[-1]["fields"].append((a["name"], a.get("value") or ""))
        elif self._open and tag == "button":
            self.forms[-1]["buttons"].append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def _demo_form(client: TestClient) -> dict[str, Any]:
    page = client.get("/")
    assert page.status_code == 200
    parser = _Forms()
    parser.feed(page.text)
    forms = [f for f in parser.forms if f.get("data-testid") == "demo-form"]
    assert len(forms) == 1, "the home page has one demo button"
    assert "<script>" not in page.text  # the CSP allows no inline script: the button is a plain form
    return forms[0]


def _post(client: TestClient, form: dict[str, Any], origin: str) -> Any:
    data: dict[str, Any] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    return client.post(form["action"], data=data, headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"
                                                           if origin == BASE else "cross-site"})


@dataclass(frozen=True)
class Site:
    """One app on one data directory, served live (for Chromium) and reachable through a TestClient."""

    app: FastAPI
    client: TestClient
    live: LiveServer


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app = create_app(WebSettings(data_dir=tmp_path_factory.mktemp("home") / "data"))
    with LiveServer(app) as server:
        yield Site(app, TestClient(app, base_url=BASE, follow_redirects=False), server)
    app.state.leakpro.jobs.stop()


@dataclass(frozen=True)
class Clicked:
    """What Chromium saw after a click on the demo button: the audit it started, run to its results page."""

    audit_id: str
    status_on_job_page: str
    figures: str
    console_errors: list[str]


@pytest.fixture(scope="module")
def clicked(browser: Any, site: Site) -> Clicked:
    """The demo button clicked in Chromium and followed to the results: the module's one real demo run, which both
    tests below check (the demo takes seconds; the post without a browser is checked to start the same audit)."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(site.live.url + "/")
        page.click("text=Run the built-in demo")
        page.wait_for_url(f"{site.live.url}/audits/*")
        audit_id = page.url.rsplit("/", 1)[-1]
        status = page.locator("#status").inner_text()
        page.wait_for_url("**/results", timeout=300_000)  # the job page follows the audit to its results
        return Clicked(audit_id, status, page.locator("[data-testid=figures]").inner_text(), errors)
    finally:
        context.close()


def _config(client: TestClient, audit_id: str) -> str:
    return client.get(f"/audits/{audit_id}/files/config.yaml").text


def test_the_demo_button_runs_the_demo(site: Site, request: pytest.FixtureRequest) -> None:
    try:
        ran: Clicked | None = request.getfixturevalue("clicked")  # before the post: the click's audit runs first
    except pytest.skip.Exception:  # no Chromium here: the post below runs the demo itself
        ran = None
    client = site.client
    form = _demo_form(client)
    assert form["method"] == "post" and form["action"] == "/audits"
    assert [b.get("type") for b in form["buttons"]] == ["submit"]
    posted = audit_id_of(_post(client, form, BASE))
    if ran is None:
        audit_id = posted
        assert wait_for(client, audit_id, timeout=600)["status"] == "done"
    else:  # the post started the very audit the click ran to the end; that run stands for this one
        audit_id = ran.audit_id
        assert _config(client, posted) == _config(client, audit_id) and "builtin: adult" in _config(client, posted)
        assert client.post(f"/audits/{posted}/cancel", headers={"Origin": BASE}).status_code == 303
        assert wait_for(client, posted, timeout=120)["status"] == "cancelled"
    assert wait_for(client, audit_id)["status"] == "done"
    result = json.loads(client.get(f"/audits/{audit_id}/files/results.json").text)
    assert [t["role"] for t in result["targets"]] == ["target", "null"]  # the demo with its control
    assert {"loss", "population"} <= {a["id"] for a in result["targets"][0]["attacks"]}
    assert "report.html" in client.get(f"/audits/{audit_id}/results").text
    home = client.get("/").text
    assert "built-in demo" in home and f"/audits/{audit_id}" in home


def test_the_demo_button_is_refused_from_another_site(client: TestClient) -> None:
    form = _demo_form(client)
    response = _post(client, form, "http://evil.example")
    assert response.status_code == 403
    assert 'data-testid="history"' not in client.get("/").text  # no audit was created


def test_synthetic_jobs_refuse_yaml_aliases(tmp_path: Path) -> None:
    from leakpro.config.yaml_io import YamlConfigError
    from leakpro.web.runs import run_synthetic_audit
    from leakpro.web.storage import AuditDir

    class Progress:
        def stage(self, name: str) -> None:
            pass

        def check(self) -> None:
            pass

    d = AuditDir(tmp_path)
    d.config.write_text("synthetic: &s {real: inputs/real.csv}\ncopy: *s\n", encoding="utf-8")
    with pytest.raises(YamlConfigError, match="anchors and aliases are not allowed"):
        run_synthetic_audit(d, Progress())  # type: ignore[arg-type]
    d.config.write_text("synthetic: {seed: 1, seed: 2}\n", encoding="utf-8")
    with pytest.raises(YamlConfigError, match="appears twice"):
        run_synthetic_audit(d, Progress())  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_demo_button_in_a_browser(clicked: Clicked, site: Site) -> None:
    """A click in Chromium: the browser's own Origin and Sec-Fetch-Site headers pass, the job page follows."""
    assert clicked.status_on_job_page in ("queued", "running", "done")
    assert "loss" in clicked.figures  # reached the results page (the job page followed the audit there)
    assert clicked.console_errors == []
    assert site.app.state.leakpro.db.get(clicked.audit_id).status == "done"
