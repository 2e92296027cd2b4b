"""Fixtures for the web app: an app on a temporary data directory, a live server, headless Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from leakpro.web.app import WebSettings, create_app
from leakpro.web.db import new_audit_id
from leakpro.web.models import AuditKind

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BASE = "http://127.0.0.1:8765"
FINAL = ("done", "failed", "cancelled", "interrupted")


def tiny_demo(**over: Any) -> dict[str, Any]:
    """Form fields of the smallest demo audit: 2 epochs, LOSS and Attack-P, one reference model, no PDF."""
    form: dict[str, Any] = {"source": "demo", "demo_size": "quick", "threat_model": "scores", "name": "tiny demo",
                            "attacks": ["loss", "population"], "reference_models": "1", "epochs": "2", "seed": "0"}
    form.update(over)
    return form


def wait_for(client: TestClient, audit_id: str, statuses: tuple[str, ...] = FINAL, timeout: float = 90,
             base: str = "") -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snap: dict[str, Any] = client.get(f"{base}/audits/{audit_id}/progress").json()
        if snap.get("status") in statuses:
            return snap
        time.sleep(0.2)
    raise AssertionError(f"audit {audit_id} did not reach {statuses} in {timeout} s: {snap}")


def audit_id_of(response: Any) -> str:
    assert response.status_code == 303, response.text[:2000]
    return str(response.headers["location"]).rsplit("/", 1)[-1]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Build an app (and its test client) on ``tmp_path/data``; keyword arguments go to :class:`WebSettings`."""
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        settings.setdefault("data_dir", tmp_path / "data")
        client = TestClient(create_app(WebSettings(**settings)), base_url=BASE, follow_redirects=False)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.app.state.leakpro.jobs.stop()  # type: ignore[attr-defined]


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(max_file_bytes=256 * 1024)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving ``app`` on a free loopback port in a thread."""

    def __init__(self, app: FastAPI) -> None:
        import uvicorn

        self.app = app
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the web server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = create_app(WebSettings(data_dir=tmp_path_factory.mktemp("web") / "data"))
    with LiveServer(app) as server:
        yield server
    app.state.leakpro.jobs.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed; CI installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass(frozen=True)
class FinishedAudit:
    """A finished audit's folder and database row, to be copied into other apps (:meth:`install`)."""

    folder: Path
    row: dict[str, Any]

    @classmethod
    def of(cls, app: FastAPI, audit_id: str) -> FinishedAudit:
        """The audit ``audit_id`` of ``app``, as it stands now (finished)."""
        audit = app.state.leakpro.db.get(audit_id)
        assert audit is not None and audit.status == "done", audit
        row = {k: getattr(audit, k) for k in ("kind", "spec_json", "pdf", "status", "stage", "progress_json",
                                              "started", "finished", "attempts")}
        return cls(app.state.leakpro.storage.audit(audit_id).root, row)

    def install(self, app: FastAPI, name: str) -> str:
        """Copy the audit into ``app`` under a new id and ``name``, recorded as the job recorded it; its id."""
        st = app.state.leakpro
        audit_id = new_audit_id()
        shutil.copytree(self.folder, st.storage.audit(audit_id).root)
        st.db.create_audit(audit_id, AuditKind(self.row["kind"]), name, json.loads(self.row["spec_json"]),
                           bool(self.row["pdf"]), [])
        st.db.update(audit_id, **{k: v for k, v in self.row.items() if k not in ("kind", "spec_json", "pdf")})
        return str(audit_id)


@pytest.fixture(scope="session")
def finished_demo(tmp_path_factory: pytest.TempPathFactory) -> FinishedAudit:
    """One tiny demo audit with its null control, run once by the web app's own job, for tests that check pages
    showing finished audits rather than the run itself (runs have their own tests)."""
    data = tmp_path_factory.mktemp("finished") / "data"
    client = TestClient(create_app(WebSettings(data_dir=data)), base_url=BASE, follow_redirects=False)
    try:
        audit_id = audit_id_of(client.post("/audits", data=tiny_demo(null_target="on")))
        assert wait_for(client, audit_id)["status"] == "done"
        return FinishedAudit.of(client.app, audit_id)  # type: ignore[arg-type]
    finally:
        client.app.state.leakpro.jobs.stop()  # type: ignore[attr-defined]
