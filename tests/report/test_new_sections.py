"""Defences, API attacks and federated learning in the report: sections, numbers, figures, page one, PDF."""

from __future__ import annotations

import base64
import html as html_lib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from leakpro.federated.results import FederatedAuditResult
from leakpro.report import ReportPaths, fmt, render_html, render_report, render_report_dir
from leakpro.report.inputs import load_directory, load_inputs
from leakpro.report.sections.federated_views import embed_png
from leakpro.results.types import AuditResult

from .builders import write_federated, write_full
from .conftest import have
from .test_report_pdf import page_text


@dataclass(frozen=True)
class Full:
    result: AuditResult
    federated: FederatedAuditResult
    paths: ReportPaths
    html_text: str  # tags stripped, whitespace squashed
    pdf_text: str  # squashed
    directory: Path


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def html_text(path: Path) -> str:
    return squash(html_lib.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


def pdf_text(pdf: Path) -> str:
    return squash(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                                 text=True).stdout)


def image_count(pdf: Path) -> int:
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    return sum(1 for line in listing if line.split()[2] == "image")


@pytest.fixture(scope="module")
def full(results_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Full:
    """The planted audit with defences, API attacks and a federated audit beside it, rendered to HTML and PDF."""
    if not have("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; CI installs it")
    out = tmp_path_factory.mktemp("full")
    for item in results_dir.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy)(item, out / item.name)
    base = AuditResult.model_validate_json((out / "results.json").read_text())
    result = write_full(out, base)
    federated = write_federated(out)
    paths = render_report(out / "results.json", out / "report", frame_provider=None)
    assert paths.pdf is not None
    return Full(result, federated, paths, html_text(paths.html), pdf_text(paths.pdf), out)


def test_defences_section_numbers(full: Full) -> None:
    text, html = full.html_text, full.paths.html.read_text(encoding="utf-8")
    assert 'id="defences"' in html and 'data-testid="defences-table"' in html
    assert 'data-testid="targets-table"' not in html  # one place for the comparison across targets
    assert len(full.result.risk_utility) == 4
    for row in full.result.risk_utility:
        t = row.tpr_at_1pct_fpr
        assert f"{fmt.pct(t.value)} {fmt.interval_pct(t.low, t.high)} {row.strongest_attack}" in text, row.target
        assert f"{fmt.auc(row.auc.value)} {fmt.interval_auc(row.auc.low, row.auc.high)}" in text
        assert f"{fmt.pct(row.test_accuracy, 1)}" in text
        assert fmt.eps(row.epsilon_heuristic) in text and "Heuristic ε (not a DP bound)" in text
    dp = next(r for r in full.result.risk_utility if r.target == "dp")
    assert dp.accountant_epsilon == 2.0 and "ε ≤ 2.00 (δ = 1e-05)" in text
    assert "DP-SGD (target ε 2, clipping norm 1); 5 epochs" in text and "API rounds scores to 1 decimal(s)" in text
    for run in full.result.one_run:
        row = f"{run.variant} {run.canaries} ({run.included}) {run.guesses} {fmt.count(run.correct, run.guesses)}"
        assert row in text, row
    assert "ε ≥ 0.81" in text and "ε ≤ 1.99" in text
    assert "a lower bound from the attacks that were run, not a guarantee" in text
    assert "Check the DP training" not in text  # no bound above the accountant's ε here


def test_defences_in_pdf(full: Full) -> None:
    text = full.pdf_text
    for heading in ("Defences: risk before and after", "Risk and utility per variant", "How to read ε",
                    "One-run canary audit", "Defences: 2 defended variant(s) re-tested"):
        assert heading in text, heading
    dp = next(r for r in full.result.risk_utility if r.target == "dp")
    assert fmt.pct(dp.tpr_at_1pct_fpr.value) in text and "ε ≤ 2.00" in text


def test_a_bound_above_the_accountant_is_flagged(full: Full) -> None:
    inputs = load_inputs(full.directory / "results.json", frame_provider=None)
    assert inputs.result is not None
    # a heuristic ε above the accountant's is not a DP statement: no warning from it
    rows = [r.model_copy(update={"epsilon_heuristic": 3.5}) if r.target == "dp" else r
            for r in inputs.result.risk_utility]
    heuristic = type(inputs)(inputs.results_path, inputs.result.model_copy(update={"risk_utility": rows}),
                             inputs.scores, None)
    assert "Check the DP training" not in squash(html_lib.unescape(re.sub(r"<[^>]+>", " ", render_html(heuristic))))
    # a sound one-run bound above it is
    runs = [r.model_copy(update={"epsilon_lower_bound": 3.5}) if r.variant == "dp" else r
            for r in inputs.result.one_run]
    broken = type(inputs)(inputs.results_path, inputs.result.model_copy(update={"one_run": runs}),
                          inputs.scores, None)
    text = squash(html_lib.unescape(re.sub(r"<[^>]+>", " ", render_html(broken))))
    assert "Check the DP training: for dp the one-run audit demonstrates more privacy loss" in text


def test_api_section_numbers(full: Full) -> None:
    text = full.html_text
    ex = full.result.extraction
    assert ex is not None and full.result.property_inference is not None
    for p in ex["extraction"]["curve"]:
        f, a = p["fidelity"], p["accuracy"]
        row = (f"{p['queries']:,} {fmt.pct(f['value'], 1)} {fmt.interval_pct(f['low'], f['high'], 1)} "
               f"{fmt.count(p['agreements'], p['n_eval'])} {fmt.pct(a['value'], 1)}")
        assert row in text, row
    assert f"against {fmt.pct(0.6633, 1)} for always answering the target's most common label" in text
    assert "AUC gain with the stolen copy: +0.118." in text and "planted summary sentence" in text
    assert "label_only_augmentation the API's labels only 0.561" in text
    assert "rmia scores of the stolen copy 0.679" in text
    assert "85.0% [62.1%, 96.8%] (17 / 20 evaluation models), against 50% by guessing: better than guessing" in text
    assert "80% (the meta-classifier gives P(80%) = 0.913) · true share: 74.3% (the nearer of the two)" in text
    for heading in ("API attacks: model extraction and property inference", "Model extraction: a stolen copy",
                    "Membership inference with the stolen copy", "Property inference: a fact about"):
        assert heading in full.pdf_text, heading


def test_federated_section_numbers(full: Full) -> None:
    text, fed = full.html_text, full.federated
    ig, idlg = fed.attacks
    assert f"Inverting Gradients fedsgd, batch 1, 1 step {fmt.db(ig.mean_psnr)} {fmt.auc(ig.mean_ssim)} 100%" in text
    assert f"{fmt.db(11.7417)} {fmt.db(34.5678 - 11.7417, signed=True)} leaks Very high" in text
    assert f"{fmt.db(idlg.mean_psnr)} " in text and f"{fmt.db(13.2109 - 11.7417, signed=True)} no Low" in text
    assert "local DP (clip 1, noise ×0.1) 9.4 dB" in text and f"{fmt.db(9.4321 - 11.7417, signed=True)} no" in text
    assert "secure aggregation 16.0 dB" in text and "+4.3 dB leaks Moderate" in text
    b4 = next(o for o in fed.sweep if o.setting.batch_size == 4 and o.setting.local_steps == 4)
    assert b4.mean_psnr is not None
    assert "Local steps \\ batch size 1 4" in text
    assert f"{fmt.db(b4.mean_psnr)} ({fmt.db(b4.mean_psnr - 11.7417, signed=True)})" in text
    mia = fed.client_mia
    assert mia is not None
    assert f"AUC [95 % CI] {fmt.auc(mia.auc)} {fmt.interval_auc(mia.auc_low, mia.auc_high)} Moderate" in text
    assert f"{fmt.auc(mia.null_auc)} {fmt.interval_auc(mia.null_auc_low, mia.null_auc_high)} Low" in text
    assert "Better than guessing: the interval lies above 0.5." in text
    assert "Risk-level thresholds: reconstruction" in text and "feedc0ffee123456" in text


def test_federated_grids_are_embedded(full: Full) -> None:
    html = full.paths.html.read_text(encoding="utf-8")
    outcomes = [*full.federated.attacks, *full.federated.defences, *full.federated.sweep]
    for o in outcomes:
        assert o.image is not None
        encoded = base64.b64encode((full.directory / o.image).read_bytes()).decode("ascii")
        assert html.count(encoded) == 1, o.image  # each grid once, as a data: URI
    assert "federated_images/" not in re.sub(r'alt="[^"]*"', "", html.split('id="appendix"')[0])


def test_page_one_reconstruction_row(full: Full) -> None:
    html = full.paths.html.read_text(encoding="utf-8")
    table = html_lib.unescape(html.split('class="risk-table"')[1].split("</table>")[0])
    row = squash(re.sub(r"<[^>]+>", " ", table.split("Reconstruction: can training records be rebuilt")[1]
                        .split("</tr>")[0]))
    assert "not assessed" not in row
    assert row.startswith(" (model or gradient inversion)? Very high (over 1 record: Very high)"), row
    assert f"PSNR {fmt.db(34.5678)}, {fmt.db(34.5678 - 11.7417, signed=True)} over the best baseline" in row
    assert f"best guess without the update: {fmt.db(11.7417)}" in row
    assert full.paths.pdf is not None
    first = squash(page_text(full.paths.pdf, 1, cells=True))
    assert "Overall reconstruction risk Very high" in first  # the worst question heads page one (issue 13)
    for part in ("Reconstruction: can training records be rebuilt", "(over 1 record: Very high)",
                 f"{fmt.db(34.5678)}, {fmt.db(34.5678 - 11.7417, signed=True)}", "Federated learning — membership",
                 f"AUC {fmt.auc(0.6083)} {fmt.interval_auc(0.5247, 0.6918)}", "Federated learning: a simulated run",
                 "API attacks: model extraction through the API", "How the levels are derived", "Reconstruction."):
        assert part in first, part
    assert "Defences re-tested" not in first and "Risk and utility per variant" not in first


def test_full_report_figures_and_self_containment(full: Full) -> None:
    if not have("pdfimages"):
        pytest.skip("pdfimages (poppler-utils) is not installed; CI installs it")
    assert full.paths.pdf is not None
    grids = len(full.federated.attacks) + len(full.federated.defences) + len(full.federated.sweep)
    attacks = len(full.result.targets[0].attacks)
    # ROC + histogram per attack, the comparison, the risk–utility plot, the extraction curve, the grids
    assert image_count(full.paths.pdf) == 2 * attacks + 1 + 1 + 1 + grids
    html = full.paths.html.read_text(encoding="utf-8")
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert urls and all(u.startswith(("data:", "#")) for u in urls), [u[:40] for u in urls if u[:5] != "data:"]
    assert not re.search(r"url\((?!['\"]?data:)", html) and "<link" not in html and "<script src" not in html


def test_federated_only_directory(tmp_path: Path) -> None:
    if not have("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; CI installs it")
    federated = write_federated(tmp_path, seed=4)
    paths = render_report_dir(tmp_path)
    assert paths.html == tmp_path / "report.html" and paths.pdf == tmp_path / "report.pdf"
    text = pdf_text(paths.pdf)
    first = squash(page_text(paths.pdf, 1))
    assert "Federated learning on digits (mlp)" in first
    assert "Overall reconstruction risk Very high range over 1 record: Very high" in first
    assert first.count("not assessed in this audit") == 5  # membership and the four synthetic-data questions
    assert "Membership inference" not in text.split("Federated learning", 2)[-1].split("Appendix")[0]
    assert "from federated_results.json" in text and "feedc0ffee123456" in text
    assert fmt.db(federated.attacks[0].mean_psnr) in text
    if have("pdfimages"):
        assert image_count(paths.pdf) == len(federated.attacks) + len(federated.defences) + len(federated.sweep)


def test_inputs_from_any_subset(tmp_path: Path, results_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"holds none of results\.json"):
        load_directory(tmp_path)
    write_federated(tmp_path)
    inputs = load_directory(tmp_path)
    assert inputs.result is None and inputs.federated is not None and inputs.sources == ["federated_results.json"]
    with pytest.raises(ValueError, match="needs the membership audit"):
        _ = inputs.audit
    inputs = load_directory(results_dir, frame_provider=None)
    assert inputs.result is not None and inputs.federated is None and inputs.sources == ["results.json"]


def test_images_must_stay_inside_the_directory(tmp_path: Path) -> None:
    inside = tmp_path / "out"
    inside.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    (inside / "fake.png").write_bytes(b"not a png at all, but named like one")
    with pytest.raises(ValueError, match="outside"):
        embed_png(inside, "../secret.png")
    with pytest.raises(ValueError, match="not a PNG"):
        embed_png(inside, "fake.png")
    with pytest.raises(FileNotFoundError):
        embed_png(inside, "missing.png")


def test_federated_cli_writes_the_report_or_says_why_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import leakpro.report
    from leakpro.commands.federated import write_federated_report

    write_federated(tmp_path)
    console = Console(record=True, width=200)
    calls: list[Path] = []

    def fake(directory: Path, out_dir: Path | None = None, *, pdf: bool = True) -> ReportPaths:
        calls.append(directory)
        return render_report_dir(directory, out_dir, pdf=False)

    monkeypatch.setattr(leakpro.report, "render_report_dir", fake)
    assert write_federated_report(tmp_path, console) and calls == [tmp_path]
    assert (tmp_path / "report.html").is_file() and "Report:" in console.export_text()

    class Refusal(BaseException):  # WeasyPrint's URL refusal derives from BaseException
        pass

    def refuse(*_: object, **__: object) -> ReportPaths:
        raise Refusal("the report tried to load http://example.org")

    monkeypatch.setattr(leakpro.report, "render_report_dir", refuse)
    assert not write_federated_report(tmp_path, console)
    said = console.export_text()
    assert "The report could not be rendered: Refusal" in said and "leakpro report" in said

    def interrupt(*_: object, **__: object) -> ReportPaths:
        raise KeyboardInterrupt

    monkeypatch.setattr(leakpro.report, "render_report_dir", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_federated_report(tmp_path, console)
