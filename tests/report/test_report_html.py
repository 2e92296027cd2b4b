"""The HTML: self-contained, and alive in a real browser (headless Chromium driven by Playwright)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from leakpro.report import fmt, render_report
from leakpro.report.inputs import SYNTHETIC_RESULTS_FILE

from .conftest import Rendered

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_html_is_self_contained(rendered: Rendered) -> None:
    html = rendered.paths.html.read_text(encoding="utf-8")
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert urls and all(u.startswith(("data:", "#")) for u in urls), [u[:40] for u in urls if u[:5] != "data:"]
    assert not re.search(r"url\((?!['\"]?data:)", html)  # no CSS url() outside data: URIs
    assert "<script src" not in html and "<link" not in html


def test_slider_data_comes_from_the_scores(rendered: Rendered) -> None:
    html = rendered.paths.html.read_text(encoding="utf-8")
    blobs = [json.loads(b) for b in re.findall(r'<script type="application/json" class="slider-data">(.*?)</script>',
                                                html, flags=re.S)]
    target = rendered.result.targets[0]
    assert len(blobs) == len(target.attacks)
    for blob, attack in zip(blobs, target.attacks, strict=True):
        pts = blob["points"]
        assert pts["members"] == attack.tpr_at_fpr[0].members
        for op in attack.tpr_at_fpr:  # every operating point of results.json is on the slider
            assert any(tp == op.true_positives and fp == op.false_positives
                       for tp, fp in zip(pts["tp"], pts["fp"], strict=True)), (attack.id, op.fpr_level)


def test_synthetic_results_slot_in(results_dir: Path, tmp_path: Path) -> None:
    for item in results_dir.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy)(item, tmp_path / item.name)
    synthetic = {"attacks": [{"attack": "singling_out", "variant": "univariate", "params": {},
                              "ori": {"successes": 40, "trials": 100, "rate": 0.4, "ci_low": 0.3, "ci_high": 0.5},
                              "control": {"successes": 10, "trials": 100, "rate": 0.1, "ci_low": 0.05,
                                          "ci_high": 0.17},
                              "risk": {"value": 0.3333, "ci_low": 0.21, "ci_high": 0.45, "confidence": 0.95},
                              "findings": ["planted finding"]}],
                 "membership": [], "seed": 5, "config_hash": "abc123"}
    (tmp_path / SYNTHETIC_RESULTS_FILE).write_text(json.dumps(synthetic))
    paths = render_report(tmp_path / "results.json", tmp_path / "out", pdf=False)
    html = paths.html.read_text(encoding="utf-8")
    assert 'id="synthetic"' in html and "singling_out/univariate" in html and "planted finding" in html
    assert f"{fmt.pct(0.3333)} [21.00%, 45.00%]" in re.sub(r"<[^>]+>", "", html)
    assert paths.pdf is None


@pytest.fixture(scope="module")
def browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed; CI installs it")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_report_in_chromium(browser: Any, rendered: Rendered, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    url = rendered.paths.html.resolve().as_uri()
    page.goto(url, wait_until="load")
    assert errors == []
    assert all(r == url or r.startswith("data:") for r in requests), requests

    attack = rendered.result.targets[0].attacks[0]
    box = page.locator(".slider").first
    op = next(p for p in attack.tpr_at_fpr if p.fpr_level == 0.01)
    assert box.locator("output.tpr").inner_text() == fmt.pct(op.tpr.value)  # starts at results.json's 1 % point
    assert box.locator("output.fpr").inner_text() == fmt.pct(op.fpr.value)
    before = [box.locator(f"output.{k}").inner_text() for k in ("tpr", "fpr", "ppv")]
    marker = page.locator(".marker").first
    left_before = marker.evaluate("m => m.style.left")
    box.locator("input.threshold").focus()
    page.keyboard.press("End")  # loosest threshold: everybody flagged
    after = [box.locator(f"output.{k}").inner_text() for k in ("tpr", "fpr", "ppv")]
    assert after != before and after[0] == "100.00%" and after[1] == "100.00%"
    assert after[2] == fmt.pct(rendered.result.data.member_prior)  # PPV = prior when everybody is flagged
    assert marker.evaluate("m => m.style.left") != left_before

    page.fill("#member-prior", "0.1")
    page.locator("#member-prior").dispatch_event("input")
    assert box.locator("output.ppv").inner_text() == "10.00%"

    table = page.locator('table[data-testid="comparison-table"]')
    header = table.locator("thead th", has_text="AUC [95 % CI]")
    aucs = sorted(a.auc.value for a in rendered.result.targets[0].attacks)
    for expected in (aucs, aucs[::-1]):
        header.click()
        shown = table.locator("tbody tr td:nth-child(2)").evaluate_all("cs => cs.map(c => c.dataset.sort)")
        assert [float(v) for v in shown] == pytest.approx(expected)
    assert errors == []
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 20_000
    page.close()


def test_defended_variant_and_epsilon_are_shown(results_dir: Path, tmp_path: Path) -> None:
    """A defended variant appears in the across-targets table; an empirical ε bound beside its attack."""
    from leakpro.report import render_html
    from leakpro.report.inputs import load_inputs
    from leakpro.results.types import AttackResult, TargetResult

    if "epsilon_heuristic" not in AttackResult.model_fields or "privacy" not in TargetResult.model_fields:
        pytest.skip("this results schema has no defended variants or ε bounds")
    from leakpro.results.types import EpsilonHeuristic  # type: ignore[attr-defined]

    inputs = load_inputs(results_dir / "results.json", frame_provider=None)
    target, null = inputs.result.targets
    bound = EpsilonHeuristic(epsilon=1.2345, delta=1e-5, confidence=0.95, direction="members-high", threshold=0.5,
                              successes=10, trials=20, errors=1, error_trials=20)
    attacks = [target.attacks[0].model_copy(update={"epsilon_heuristic": bound}), *target.attacks[1:]]
    defended = target.model_copy(update={"name": "dp", "role": "defence", "privacy": {"epsilon": 7.5, "delta": 1e-5},
                                         "defence": {"dp_sgd": True}, "attacks": attacks})
    result = inputs.result.model_copy(update={"targets": [target.model_copy(update={"attacks": attacks}), null,
                                                          defended]})
    scores = {**inputs.scores, "dp": inputs.scores["target"]}
    text = re.sub(r"<[^>]+>", " ", render_html(type(inputs)(inputs.results_path, result, scores, None)))
    text = re.sub(r"\s+", " ", text)
    assert "defended variant" in text and "7.50" in text and "Heuristic ε (not a DP bound)" in text
    assert "heuristic ε 1.23 at δ = 1e-05 (not a DP lower bound" in text
