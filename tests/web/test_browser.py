"""End to end in headless Chromium: run the demo audit from the browser, watch it, read the report, compare.

Every request must stay on the local server (data: URLs aside) and no page may log a console error.
Set LEAKPRO_WEB_SHOTS=DIR to keep screenshots of each page.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import FinishedAudit, LiveServer

pytestmark = pytest.mark.slow


class Watched:
    """A page with its console errors and every URL it requested."""

    def __init__(self, page: Any) -> None:
        self.page, self.errors, self.requests = page, [], []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def shot(self, name: str) -> None:
        folder = os.environ.get("LEAKPRO_WEB_SHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    def assert_local(self, base: str) -> None:
        assert self.errors == []
        foreign = [u for u in self.requests if not u.startswith((base + "/", "data:", "about:"))]
        assert foreign == [], f"requests left localhost: {foreign}"


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield Watched(page)
    context.close()


def _run_demo_from_wizard(w: Watched, live: LiveServer, name: str, epochs: str) -> None:
    page = w.page
    page.goto(live.url + "/")
    page.click("text=New model audit")
    assert page.locator('input[name=source][value=demo]').is_checked()
    ticked = {b.get_attribute("value") for b in page.locator("input[name=attacks]:checked").all()}
    assert {"loss", "population", "rmia:offline", "lira:offline"} <= ticked  # sensible defaults preselected
    for key in ticked - {"loss", "population"}:
        page.uncheck(f'input[name=attacks][value="{key}"]')
    page.fill("input[name=name]", name)
    page.click("summary:has-text('Advanced')")
    page.fill("input[name=reference_models]", "1")
    page.fill("input[name=epochs]", epochs)
    w.shot("wizard")
    page.click("button:has-text('Run the audit')")
    page.wait_for_url("**/audits/*")
    assert page.locator("#stage").inner_text()  # the job page shows where the audit is
    w.shot("job")
    page.wait_for_url("**/results", timeout=90_000)  # navigated by the live event stream when it ended


def test_demo_audit_from_the_browser(watched: Watched, live: LiveServer) -> None:
    page = watched.page
    _run_demo_from_wizard(watched, live, "browser demo", "2")
    assert any(u.endswith("/events") for u in watched.requests), "the job page did not follow live progress"
    figures = page.locator("[data-testid=figures]").inner_text()
    assert "loss" in figures and "population" in figures and "AUC" in figures
    assert "report.pdf" in page.locator("[data-testid=downloads]").inner_text()
    report = page.frame_locator("iframe.report")
    assert "Membership" in report.locator("body").inner_text()
    slider, shown = report.locator("input.threshold").first, report.locator("output.thr").first
    before = shown.inner_text()
    slider.evaluate("el => { el.value = 0; el.dispatchEvent(new Event('input')); }")
    assert shown.inner_text() != before  # the ROC threshold slider works inside the app
    watched.shot("results")
    page.goto(live.url + "/")
    row = page.locator("[data-testid=history] tr", has_text="browser demo")
    assert "done" in row.inner_text()
    watched.shot("home")
    watched.assert_local(live.url)


def test_compare_two_audits_in_the_browser(watched: Watched, live: LiveServer, finished_demo: FinishedAudit) -> None:
    """The comparison page of two finished audits (a demo run by the web job once, copied in twice: the wizard's
    run in the browser is the test above)."""
    for name in ("before", "after"):
        finished_demo.install(live.app, name)
    page = watched.page
    page.goto(live.url + "/")
    page.click("text=Compare")
    page.select_option("select[name=a]", label=page.locator("select[name=a] option", has_text="before").first
                       .inner_text())
    page.select_option("select[name=b]", label=page.locator("select[name=b] option", has_text="after").first
                       .inner_text())
    page.click("button:has-text('Compare')")
    table = page.locator("[data-testid=comparison]").inner_text()
    assert "target / loss" in table and "target / population" in table
    assert page.locator("iframe.report").count() == 2
    watched.shot("compare")
    watched.assert_local(live.url)


def test_synthetic_audit_entirely_in_the_browser(watched: Watched, live: LiveServer) -> None:
    page = watched.page
    page.goto(live.url + "/")
    page.click("text=Synthetic-data audit")
    assert page.locator("input[name=real_file]").is_visible()
    page.check("input[name=source][value=example]")
    assert not page.locator("input[name=real_file]").is_visible()  # the upload boxes hide for the example
    page.fill("input[name=name]", "synthetic example")
    page.fill("input[name=n_attacks]", "40")
    page.click("button:has-text('Run the audit')")
    page.wait_for_url("**/results", timeout=90_000)
    assert "singling_out" in page.locator("[data-testid=figures]").inner_text()
    report = page.frame_locator("iframe.report")
    assert "Synthetic data" in report.locator("body").inner_text()
    watched.shot("synthetic-results")
    watched.assert_local(live.url)
