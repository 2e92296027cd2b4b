"""The language-model wizard: the built-in demo queued from the web app, run as a job, its report and figures."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from .conftest import audit_id_of, wait_for

pytestmark = pytest.mark.slow


def test_llm_demo_from_the_wizard_gets_its_report_and_figures(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wizard's whole path (form, config, job, results page, report with figures) on a tinier demo than the
    quick one: what the quick demo finds is tests/llm/test_embedded_default.py's to check, not this test's."""
    from leakpro.commands import llm_demo

    tiny = llm_demo.EmbeddedSizes(
        candidates=40,
        public=80,
        base_epochs=1,
        finetune_epochs=2,
        lira_models=2,
        offline_models=2,
        canaries_per_count=2,
        repetitions=(0, 4),
        canary_samples=100,
        self_test_permutations=2,
    )
    monkeypatch.setattr(llm_demo, "QUICK", tiny)  # the job runs in this process (a thread of the app)
    assert "Audit a language model" in client.get("/").text
    assert 'action="/llm"' in client.get("/llm/new").text
    audit_id = audit_id_of(client.post("/llm", data={"demo_size": "quick", "seed": "0", "name": "tiny lm"}))
    snap = wait_for(client, audit_id, timeout=900)
    assert snap["status"] == "done", snap
    page = client.get(f"/audits/{audit_id}/results").text
    assert 'title="Min-K%++">min_k_plus_plus</td>' in page and "null <span" in page  # target and null rows
    report = client.get(f"/audits/{audit_id}/files/report.html").text
    assert 'data-testid="llm-table"' in report and "Canary exposure" in report
    assert client.get(f"/audits/{audit_id}/files/llm_results.json").json()["kind"] == "llm"


def test_llm_wizard_names_each_problem(client: TestClient) -> None:
    r = client.post("/llm", data={"demo_size": "huge", "seed": "x"})
    assert r.status_code == 422 and "seed" in r.text and "demo_size" in r.text
