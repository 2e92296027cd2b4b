"""The PDF, read back with poppler: sections, figures and numbers equal to results.json."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from leakpro.report import fmt
from leakpro.report.risk import RiskLevel, assess_attack, overall

from .conftest import Rendered, have


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def page_text(pdf: Path, page: int, *, cells: bool = False) -> str:
    """One page's text: laid out as printed (a table row on one line), or with ``cells`` in drawing order, so that
    each table cell's lines follow one another whatever the column widths (a wrapped question reads whole)."""
    mode = "-raw" if cells else "-layout"
    return subprocess.run(["pdftotext", mode, "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def test_sections_present(rendered: Rendered) -> None:
    text = _squash(rendered.pdf_text)
    for heading in ("Overall membership risk", "Risk per question", "What this means under the GDPR",
                    "How the levels are derived", "Membership inference", "Comparison across attacks",
                    "Who leaks: the members most exposed", "Across targets", "Appendix",
                    "Risk-level thresholds: membership inference", "Package versions", "Runtime per stage",
                    "Full configuration", "EDPB", "means reasonably likely to be used"):
        assert heading in text, heading
    assert "not assessed in this audit" in text  # reconstruction / synthetic questions are listed, not hidden


def test_page_one_is_the_summary(rendered: Rendered) -> None:
    assert rendered.paths.pdf is not None
    first = _squash(page_text(rendered.paths.pdf, 1, cells=True))
    verdict = overall(assess_attack(a) for a in rendered.result.targets[0].attacks)
    control = overall(assess_attack(a) for a in rendered.result.targets[1].attacks)
    assert verdict is not None and control is not None
    assert f"Overall membership risk {verdict.level.label}" in first
    assert f"95 % interval: {verdict.interval_text}" in first
    assert "singled out" in first and "linked" in first and "inferred" in first
    assert control.level.label in first and "What no leakage looks like" in first
    assert "Comparison across attacks" not in first  # details start on a later page


def test_each_attack_has_its_own_page_with_its_numbers(rendered: Rendered) -> None:
    pdf = rendered.paths.pdf
    assert pdf is not None
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                             text=True, check=True).stdout).group(1))
    texts = [_squash(page_text(pdf, i)) for i in range(1, pages + 1)]
    target, null = rendered.result.targets
    null_by_id = {a.id: a for a in null.attacks}
    for attack in target.attacks:
        page = next(t for t in texts if f"{attack.title} ({attack.id})" in t and "The attacker had" in t)
        assert f"AUC {fmt.auc(attack.auc.value)} {fmt.interval_auc(attack.auc.low, attack.auc.high)}" in page
        assert f"null control {fmt.auc(null_by_id[attack.id].auc.value)}" in page
        assert assess_attack(attack).level.label in page
        for op in attack.tpr_at_fpr:
            row = (f"{fmt.pct(op.tpr.value)} {fmt.interval_pct(op.tpr.low, op.tpr.high)} "
                   f"{fmt.count(op.true_positives, op.members)}")
            assert re.search(re.escape(fmt.level_pct(op.fpr_level)) + r"\*? " + re.escape(row), page), row
            assert fmt.count(op.false_positives, op.non_members) in page
        assert "Most exposed records for this attack" in page
        assert "is below one false alarm" in page  # 300 non-members cannot resolve an FPR of 0.1 %


def test_comparison_table_numbers(rendered: Rendered) -> None:
    text = _squash(rendered.pdf_text)
    for target in rendered.result.targets:
        for attack in target.attacks:
            assert fmt.auc(attack.auc.value) in text and f"{attack.auc.value:.3f}" in text
    lira = rendered.result.targets[0].attacks[0]
    cells = " ".join(fmt.pct(op.tpr.value) for op in lira.tpr_at_fpr)
    assert f"{lira.id} {fmt.auc(lira.auc.value)} {cells}" in text


def test_appendix_reproducibility(rendered: Rendered) -> None:
    text = _squash(rendered.pdf_text)
    result = rendered.result
    assert result.config_hash in text.replace(" ", "")
    for name, version in result.versions.items():
        assert f"{name} {version}" in text
    for stage, seconds in result.stage_runtime_s.items():
        assert f"{stage.replace('_', ' ')} {fmt.seconds(seconds)}" in text
    assert "planted-report-test" in text  # the configuration itself
    assert "10× chance at 0.1 % FPR" in text  # thresholds, so a reader can check the judgement


def test_figures_present(rendered: Rendered) -> None:
    if not have("pdfimages"):
        pytest.skip("pdfimages (poppler-utils) is not installed; CI installs it")
    listing = subprocess.run(["pdfimages", "-list", str(rendered.paths.pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    images = [line for line in listing if line.split()[2] == "image"]
    n_attacks = len(rendered.result.targets[0].attacks)
    assert len(images) >= 2 * n_attacks + 1  # ROC + histogram per attack, and the comparison


def test_bookmarks_lead_to_each_section_and_attack(rendered: Rendered) -> None:
    if not have("pdftohtml"):
        pytest.skip("pdftohtml (poppler-utils) is not installed; CI installs it")
    xml = subprocess.run(["pdftohtml", "-q", "-stdout", "-xml", "-i", str(rendered.paths.pdf)], capture_output=True,
                         text=True, check=True).stdout
    items = re.findall(r'<item page="(\d+)">([^<]*)</item>', xml.split("<outline>", 1)[1])
    titles = [t for _, t in items]
    for heading in ("Risk per question", "Membership inference", "Comparison across attacks", "Appendix"):
        assert heading in titles, (heading, titles)
    for attack in rendered.result.targets[0].attacks:
        assert any(f"({attack.id})" in t for t in titles), attack.id
    pages = [int(p) for p, _ in items]
    assert pages == sorted(pages) and pages[-1] > 1


def test_pages_render_to_png(rendered: Rendered, tmp_path: Path) -> None:
    if not have("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed; CI installs it")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "3", str(rendered.paths.pdf),
                    str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 3 and all(p.stat().st_size > 5_000 for p in pngs)


def test_verdict_follows_the_data(results_dir: Path, tmp_path: Path) -> None:
    """Swap roles: the report of a leak-free target must say Low, so the level is not fixed text."""
    from leakpro.report import render_html
    from leakpro.report.inputs import load_inputs

    inputs = load_inputs(results_dir / "results.json", frame_provider=None)
    null = inputs.result.targets[1]
    swapped = inputs.result.model_copy(update={"targets": [null.model_copy(update={"role": "target"})]})
    html = render_html(type(inputs)(inputs.results_path, swapped, inputs.scores, None))
    level = overall(assess_attack(a) for a in null.attacks)
    assert level is not None and level.level is RiskLevel.LOW
    assert 'data-testid="overall-level">Low<' in html
