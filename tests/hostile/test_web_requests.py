"""Requests a hostile page can make a browser send to the web app: cross-site form posts (``Origin: null`` from
sandboxed frames and ``data:`` URLs, other sites, other local ports, Referer and Sec-Fetch-Site variants), foreign
``Host`` headers (DNS rebinding), and token-login URLs that try to redirect off the site.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from leakpro.web.security import SecurityMiddleware

from .test_web_pages import BASE, app_client, fake_audit

TOKEN = "a-long-random-test-token-123"
HOST = urlsplit(BASE).netloc  # 127.0.0.1:8765


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    c = app_client(tmp_path / "data", max_file_bytes=256 * 1024)
    yield c
    c.app.state.leakpro.jobs.stop()  # type: ignore[attr-defined]


# --- cross-site state-changing requests: refused before they reach the app -----------------------------------

CROSS_SITE: dict[str, dict[str, str]] = {
    "Origin null (sandboxed iframe, data: URL)": {"origin": "null"},
    "Origin null, Sec-Fetch-Site cross-site": {"origin": "null", "sec-fetch-site": "cross-site"},
    "Origin of another site": {"origin": "http://attacker.example"},
    "Origin of another local port": {"origin": "http://127.0.0.1:9999"},
    "Origin localhost for a 127.0.0.1 app": {"origin": "http://localhost:8765"},
    "Origin with this host as a subdomain": {"origin": "http://127.0.0.1:8765.attacker.example"},
    "Origin with userinfo": {"origin": "http://127.0.0.1:8765@attacker.example"},
    "Origin file://": {"origin": "file://"},
    "Origin not a URL": {"origin": "chrome-extension://abc"},
    "Sec-Fetch-Site cross-site, no Origin": {"sec-fetch-site": "cross-site"},
    "Sec-Fetch-Site same-site (another local port), no Origin": {"sec-fetch-site": "same-site"},
    "Sec-Fetch-Site cross-site despite a same Origin": {"origin": BASE, "sec-fetch-site": "cross-site"},
    "Referer of another site, no Origin": {"referer": "http://attacker.example/page"},
    "Referer of another local port, no Origin": {"referer": "http://127.0.0.1:9999/"},
}


@pytest.mark.parametrize("case", CROSS_SITE)
def test_cross_site_cancel_is_refused(client: TestClient, case: str) -> None:
    audit_id = fake_audit(client, "victim", status="running")
    r = client.post(f"/audits/{audit_id}/cancel", headers=CROSS_SITE[case])
    assert r.status_code == 403, r.text[:200]
    assert "Cross-site request refused" in r.text


@pytest.mark.parametrize("url", ["/audits", "/synthetic"])
def test_origin_null_cannot_create_audits(client: TestClient, tmp_path: Path, url: str) -> None:
    r = client.post(url, data={"source": "demo" if url == "/audits" else "example", "name": "csrf"},
                    headers={"origin": "null"})
    assert r.status_code == 403
    assert list((tmp_path / "data" / "audits").iterdir()) == []
    assert client.app.state.leakpro.db.audits() == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_state_changing_methods_are_checked_too(client: TestClient, method: str) -> None:
    r = client.request(method, f"/audits/{'0' * 32}/cancel", headers={"origin": "null"})
    assert r.status_code == 403


SAME_SITE: dict[str, dict[str, str]] = {
    "no browser headers (curl, scripts)": {},
    "this page's Origin and Sec-Fetch-Site": {"origin": BASE, "sec-fetch-site": "same-origin"},
    "Origin in upper case": {"origin": BASE.upper()},
    "Referer of this site, no Origin": {"referer": BASE + "/audits/new"},
    "Sec-Fetch-Site none (typed by the user)": {"sec-fetch-site": "none"},
}


@pytest.mark.parametrize("case", SAME_SITE)
def test_this_sites_own_posts_still_work(client: TestClient, case: str) -> None:
    audit_id = fake_audit(client, "mine", status="running")
    r = client.post(f"/audits/{audit_id}/cancel", headers=SAME_SITE[case])
    assert r.status_code == 303 and r.headers["location"] == f"/audits/{audit_id}"


def test_the_apps_pages_send_their_origin_on_posts(client: TestClient) -> None:
    """With ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on the app's own form posts, which must
    be refused now; ``same-origin`` makes them send the real Origin (checked in Chromium in tests/web)."""
    assert client.get("/").headers["referrer-policy"] == "same-origin"


def test_safe_methods_are_not_refused_for_their_origin(client: TestClient) -> None:
    assert client.get("/", headers={"origin": "null", "sec-fetch-site": "cross-site"}).status_code == 200


# --- Host headers: a page on another name pointed at 127.0.0.1 (DNS rebinding) ------------------------------

FOREIGN_HOSTS = ["attacker.example", "attacker.example:8765", "localhost.attacker.example", "127.0.0.1.nip.io",
                 "127.0.0.1@attacker.example", "0.0.0.0:8765", "2130706433", "", "localhost.:8765"]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_foreign_host_is_refused(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 421
    assert client.post("/audits", data={"source": "demo"}, headers={"host": host}).status_code == 421


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "127.0.0.2"])
def test_loopback_hosts_are_served(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 200


# --- token login: sets the cookie and redirects to the same path on this server, never elsewhere -----------

def _login(path: str, query: str = f"token={TOKEN}") -> tuple[int, dict[str, str]]:
    """Send ``GET path?query`` (path exactly as an ASGI server would pass it) through the token middleware."""
    async def never(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("a login request reached the app")

    middleware = SecurityMiddleware(never, token=TOKEN, loopback_only=True, max_body_bytes=1024)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode("utf-8", "surrogateescape"),
             "query_string": query.encode(), "headers": [(b"host", HOST.encode())]}
    asyncio.run(middleware(scope, receive, send))
    headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return int(sent[0]["status"]), headers


def browser_target(location: str) -> str:
    """Where a browser goes for ``Location: location`` on this site (WHATWG URL: tabs and newlines are dropped,
    ``\\`` is a ``/`` in http URLs)."""
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urljoin(BASE + "/audits/", cleaned)


REDIRECTS = ["//attacker.example/", "///attacker.example/", "/\\attacker.example/", "/\\/attacker.example",
             "\\\\attacker.example", "//attacker.example/%2e%2e", "/\t/attacker.example", "/\n/attacker.example",
             "https:attacker.example", "http://attacker.example/", "//attacker.example@127.0.0.1:8765/",
             "/.//attacker.example"]


@pytest.mark.parametrize("path", REDIRECTS)
def test_token_login_never_redirects_off_site(path: str) -> None:
    status, headers = _login(path)
    assert status == 303 and "leakpro_token=" in headers["set-cookie"]
    location = headers["location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    assert urlsplit(browser_target(location)).netloc == HOST, location


def test_token_login_keeps_path_and_other_parameters() -> None:
    status, headers = _login("/audits/new", f"a=1&token={TOKEN}&b=%2F%2Fx")
    assert status == 303 and headers["location"] == "/audits/new?a=1&b=%2F%2Fx"
