"""Model inversion and attribute inference in the report: loader, section numbers, grids, page one, PDF, CLI hook."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from leakpro.attacks.inversion.grid import save_grid
from leakpro.attacks.inversion.results import AttributeInferenceResult, ClassInversionResult, rate
from leakpro.commands.inversion_demo import write_inversion_report
from leakpro.report import ReportPaths, load_directory, render_report_dir
from leakpro.report.sections.inversion import ATTRIBUTE_QUESTION, IMPUTATION_NOTE

from .test_new_sections import html_text, pdf_text, squash
from .test_report_pdf import page_text


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def _inversion(role: str, hits: int, recovered: int, png: str | None) -> ClassInversionResult:
    acc = rate(hits, 40)
    return ClassInversionResult(
        target=role, n_classes=10, restarts=4, attack_accuracy=acc, classes_recovered=recovered, chance=0.1,
        above_chance=acc.low > 0.1, nearest_private_distance=[1.25] * 10, nearest_public_distance=[1.5] * 10,
        nearest_non_member_distance=[1.375] * 10,
        evaluator_accuracy=0.9377, png=png, seed=7)


def _attribute(name: str, attack: int, baseline: int, n: int = 500) -> AttributeInferenceResult:
    members, base = rate(attack, n), rate(baseline, n)
    non_members = rate(attack - 20, n)
    return AttributeInferenceResult(
        attribute=name, prior="imputation", candidates=["a", "b"], members=members, non_members=non_members,
        learned_members=rate(attack - 5, n), learned_non_members=rate(attack - 25, n), baseline_members=base,
        baseline_non_members=base, lift_members=members.value - base.value,
        lift_non_members=non_members.value - base.value, leaks_beyond_imputation=members.low > base.high,
        n_members=n, n_non_members=n, seed=7)


def write_inversion_dir(out: Path) -> tuple[list[ClassInversionResult], dict[str, list[AttributeInferenceResult]]]:
    """inversion.json with two PNG grids, attribute_inference.json: one leaking attribute, one imputation-only."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for role in ("target", "untrained"):
        save_grid(rng.random((10, 4, 1, 8, 8)).astype(np.float32), out / f"inversion-{role}.png", scale=2)
    inversions = [_inversion("target", 31, 8, "inversion-target.png"),
                  _inversion("untrained", 5, 1, "inversion-untrained.png")]
    attributes = {"target": [_attribute("relationship", 430, 350), _attribute("race", 420, 430)],
                  "null": [_attribute("relationship", 352, 350), _attribute("race", 425, 430)]}
    (out / "inversion.json").write_text(json.dumps([r.model_dump(mode="json") for r in inversions]))
    (out / "attribute_inference.json").write_text(json.dumps(
        {role: [r.model_dump(mode="json") for r in rs] for role, rs in attributes.items()}))
    return inversions, attributes


def pct(value: float) -> str:
    return f"{100 * value:.2f}%"


def test_loader_and_html_numbers(tmp_path: Path) -> None:
    inversions, attributes = write_inversion_dir(tmp_path)
    inputs = load_directory(tmp_path)
    assert inputs.result is None and inputs.sources == ["inversion.json", "attribute_inference.json"]
    paths = render_report_dir(tmp_path, pdf=False)
    raw = paths.html.read_text(encoding="utf-8")
    text = html.unescape(html_text(paths.html))
    assert "Model inversion and attribute inference" in text
    target, null = inversions
    for inv in (target, null):
        a = inv.attack_accuracy
        assert f"{pct(a.value)} [{pct(a.low)}, {pct(a.high)}]" in text
    assert "8 / 10" in text and "1.250" in text and "1.500" in text and "1.375" in text and "93.77%" in text
    for rs in attributes.values():
        for r in rs:
            assert f"{pct(r.members.value)} [{pct(r.members.low)}, {pct(r.members.high)}]" in text
            assert pct(r.baseline_members.value) in text
    # relationship leaks (+16 points); race is 2 points under imputation -> the plain wording
    assert "+0.160" in text and IMPUTATION_NOTE in text and "that is imputation, not leakage" in text
    assert ATTRIBUTE_QUESTION in text and "Overall reconstruction risk" in text
    assert "class-level and member-specific content cannot be told apart" in text  # no null target inverted
    # both grids embedded as data: URIs, byte for byte
    import base64

    for role in ("target", "untrained"):
        data = base64.b64encode((tmp_path / f"inversion-{role}.png").read_bytes()).decode("ascii")
        assert f"data:image/png;base64,{data}" in raw
    assert "inversion-target.png" not in raw.replace("data:image/png", "")


def test_tolerates_missing_keys_and_refuses_outside_images(tmp_path: Path) -> None:
    (tmp_path / "inversion.json").write_text(json.dumps([{"target": "target", "attack_accuracy": {"value": 0.5}}]))
    (tmp_path / "attribute_inference.json").write_text(json.dumps({"target": [{"attribute": "sex"}]}))
    text = html_text(render_report_dir(tmp_path, pdf=False).html)
    assert "Model inversion and attribute inference" in text and "sex" in text
    (tmp_path / "attribute_inference.json").unlink()
    (tmp_path.parent / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    (tmp_path / "inversion.json").write_text(json.dumps([{"target": "target", "png": "../outside.png"}]))
    with pytest.raises(ValueError, match="outside"):
        render_report_dir(tmp_path, pdf=False)
    (tmp_path / "fake.png").write_text("not a png")
    (tmp_path / "inversion.json").write_text(json.dumps([{"target": "target", "png": "fake.png"}]))
    with pytest.raises(ValueError, match="not a PNG"):
        render_report_dir(tmp_path, pdf=False)


def test_pdf_section_and_page_one(tmp_path: Path) -> None:
    if not have("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; CI installs it")
    inversions, _ = write_inversion_dir(tmp_path)
    paths = render_report_dir(tmp_path, pdf=True)
    assert paths.pdf is not None
    text = pdf_text(paths.pdf)
    for heading in ("Model inversion and attribute inference", "Class inversion", "Attribute inference",
                    "that is imputation, not leakage", "Risk-level thresholds: model inversion"):
        assert heading in text, heading
    a = inversions[0].attack_accuracy
    first = squash(page_text(paths.pdf, 1))
    assert "Overall reconstruction risk" in first and pct(a.value) in first


def test_cli_writes_the_report_or_says_why_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import leakpro.report

    write_inversion_dir(tmp_path)
    console = Console(record=True, width=200)

    def fake(directory: Path, out_dir: Path | None = None, *, pdf: bool = True) -> ReportPaths:
        return render_report_dir(directory, out_dir, pdf=False)

    monkeypatch.setattr(leakpro.report, "render_report_dir", fake)
    assert write_inversion_report(tmp_path, console) and (tmp_path / "report.html").is_file()
    assert "Report:" in console.export_text()

    class Refusal(BaseException):
        pass

    def refuse(*_: object, **__: object) -> ReportPaths:
        raise Refusal("the report tried to load http://example.org")

    monkeypatch.setattr(leakpro.report, "render_report_dir", refuse)
    assert not write_inversion_report(tmp_path, console)
    assert "The report could not be rendered: Refusal" in console.export_text()

    def interrupt(*_: object, **__: object) -> ReportPaths:
        raise KeyboardInterrupt

    monkeypatch.setattr(leakpro.report, "render_report_dir", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_inversion_report(tmp_path, console)
