"""Jobs: restart marks running audits interrupted and resume reuses the cache; cancel; the DB migrations."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient

from leakpro.web.app import WebSettings, create_app
from leakpro.web.db import Database
from leakpro.web.models import Base

from .conftest import BASE, FINAL, audit_id_of, tiny_demo, wait_for


def _results(data: Path, audit_id: str) -> dict[str, object]:
    out: dict[str, object] = json.loads((data / "audits" / audit_id / "out" / "results.json").read_text())
    return out


def test_a_running_job_is_interrupted_by_a_restart_and_resumes_from_its_cache(
        make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    first = make_client()
    audit_id = audit_id_of(first.post("/audits", data=tiny_demo(attacks=["loss", "rmia:offline"],
                                                                     reference_models="2")))
    wait_for(first, audit_id, ("done",))
    assert _results(tmp_path / "data", audit_id)["reference_models"] == {
        "models": 2, "trained": 2, "from_cache": 0, "train_size": 1000, "recipe": _recipe(tmp_path, audit_id)}
    first.app.state.leakpro.jobs.stop()  # type: ignore[attr-defined]
    first.app.state.leakpro.db.update(audit_id, status="running", stage="training 1 reference models")  # type: ignore[attr-defined]

    second = make_client()  # the server restarts on the same data directory
    page = second.get(f"/audits/{audit_id}").text
    assert "interrupted" in page and 'data-testid="resume"' in page
    assert second.get(f"/audits/{audit_id}/progress").json()["status"] == "interrupted"
    assert second.post(f"/audits/{audit_id}/resume").status_code == 303
    wait_for(second, audit_id, ("done",))
    refs = _results(tmp_path / "data", audit_id)["reference_models"]
    assert isinstance(refs, dict) and refs["from_cache"] == 2 and refs["trained"] == 0  # the cache was reused
    audit = second.app.state.leakpro.db.get(audit_id)  # type: ignore[attr-defined]
    assert audit.attempts == 2 and audit.status == "done"
    assert second.post(f"/audits/{audit_id}/resume").status_code == 409  # a finished audit is not re-run


@dataclass(frozen=True)
class WatchedRun:
    """One tiny demo audit run to the end, watched two ways (each checked by its own test below)."""

    announced: list[tuple[str, str]]  # each final status announced, with the database's status at that moment
    events: str  # the job page's event stream, read until it ended


@pytest.fixture(scope="module")
def watched_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WatchedRun]:
    client = TestClient(create_app(WebSettings(data_dir=tmp_path_factory.mktemp("watched") / "data")), base_url=BASE,
                        follow_redirects=False)
    jobs = client.app.state.leakpro.jobs  # type: ignore[attr-defined]
    seen: list[tuple[str, str]] = []
    announce = jobs.update_live

    def spy(audit_id: str, changes: dict[str, Any], line: str | None = None) -> dict[str, Any]:
        if changes.get("status") in FINAL:
            seen.append((changes["status"], jobs.db.get(audit_id).status))
        return announce(audit_id, changes, line)

    jobs.update_live = spy
    try:
        audit_id = audit_id_of(client.post("/audits", data=tiny_demo()))
        with client.stream("GET", f"/audits/{audit_id}/events") as stream:
            text = "".join(stream.iter_text())
        wait_for(client, audit_id, ("done",))
        yield WatchedRun(seen, text)
    finally:
        jobs.stop()


def test_a_final_status_is_in_the_database_before_it_is_announced(watched_run: WatchedRun) -> None:
    """The restart test above was flaky ('running' == 'done'): the progress feed said "done" while the database
    still said "running", so a reader who saw "done" and then read the audit could find it running."""
    assert watched_run.announced == [("done", "done")]  # (announced, in the database at that moment)


def _recipe(tmp_path: Path, audit_id: str) -> object:
    refs = _results(tmp_path / "data", audit_id)["reference_models"]
    assert isinstance(refs, dict)
    return refs["recipe"]


def test_cancel_a_running_and_a_queued_audit(client: TestClient) -> None:
    slow = tiny_demo(attacks=["rmia:offline"], reference_models="16", epochs="4", name="slow")
    running = audit_id_of(client.post("/audits", data=slow))
    queued = audit_id_of(client.post("/audits", data=tiny_demo(name="waiting")))
    wait_for(client, running, ("running",))
    assert client.get(f"/audits/{queued}/progress").json()["status"] == "queued"
    start = time.monotonic()
    assert client.post(f"/audits/{queued}/cancel").status_code == 303
    assert client.post(f"/audits/{running}/cancel").status_code == 303
    assert wait_for(client, running, timeout=30)["status"] == "cancelled"
    assert time.monotonic() - start < 20  # stopped at a progress point, not after all 16 reference models
    assert wait_for(client, queued)["stage"] == "cancelled before it started"
    assert 'data-testid="resume"' in client.get(f"/audits/{running}").text


def test_stopping_the_server_interrupts_a_running_audit(client: TestClient) -> None:
    slow = tiny_demo(attacks=["rmia:offline"], reference_models="16", epochs="4")
    audit_id = audit_id_of(client.post("/audits", data=slow))
    wait_for(client, audit_id, ("running",))
    client.app.state.leakpro.jobs.stop()  # type: ignore[attr-defined]
    snap = wait_for(client, audit_id, timeout=30)
    assert snap["status"] == "interrupted" and "resume" in snap["stage"]


def test_events_stream_progress_until_the_end(watched_run: WatchedRun) -> None:
    text = watched_run.events
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {\"")]
    assert text.rstrip().endswith("event: end\ndata: {}")
    assert events[-1]["status"] == "done"
    assert any("attacking target" in line for line in events[-1]["log"])


def test_migrations_match_the_models(tmp_path: Path) -> None:
    db = Database(tmp_path)
    db.migrate()
    db.migrate()  # idempotent at start-up
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
