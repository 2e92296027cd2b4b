"""Reports people can act on: one self-contained HTML file and a PDF, both drawn from the result files.

The report reads whichever of ``results.json`` (with the per-record scores files it names),
``synthetic_results.json`` and ``federated_results.json`` (with its PNG grids) lie in one directory; it never
re-runs an attack. Page one is a plain-language summary with the risk level per question; then each registered
section (membership inference, defences, API attacks, synthetic data, federated learning); then an appendix with
the configuration, seeds, versions, runtimes and the risk-level thresholds.

>>> # paths = render_report(Path("out/results.json"), Path("out"))
>>> # paths = render_report_dir(Path("federated-out"))  # any subset of the result files
>>> # paths.html, paths.pdf
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakpro.report.inputs import (
    RESULT_FILES,
    RESULTS_FILE,
    FrameProvider,
    ReportInputs,
    dataset_frame,
    load_directory,
    load_inputs,
)
from leakpro.report.render import render_html
from leakpro.report.sections import Section, SectionContent, SummaryRow, register_section

__all__ = [
    "FrameProvider",
    "ReportInputs",
    "ReportPaths",
    "Section",
    "SectionContent",
    "SummaryRow",
    "dataset_frame",
    "load_directory",
    "load_inputs",
    "register_section",
    "render_html",
    "render_report",
    "render_report_dir",
    "report_or_explain",
]


@dataclass(frozen=True)
class ReportPaths:
    """Where the report was written (``pdf`` is ``None`` when not asked for), and how long each took."""

    html: Path
    pdf: Path | None
    html_seconds: float
    pdf_seconds: float | None


def render_report(
    results_json: Path,
    out_dir: Path,
    *,
    pdf: bool = True,
    frame_provider: FrameProvider | None = dataset_frame,
) -> ReportPaths:
    """Write ``report.html`` (and ``report.pdf``) for ``results_json`` into ``out_dir``.

    ``frame_provider`` maps the audit result to the dataset's rows (row ``i`` = record ``i``) so that the "who
    leaks" tables show features; the default knows the built-in datasets, ``None`` shows indices and labels only.
    ``results_json`` may also be another result file (``synthetic_results.json``, ``federated_results.json``, …):
    the report is then drawn from its directory, as for :func:`render_report_dir`.
    """
    results_json = Path(results_json)
    if results_json.name in RESULT_FILES and results_json.name != RESULTS_FILE:
        return render_report_dir(results_json.parent, out_dir, pdf=pdf, frame_provider=frame_provider)
    start = time.perf_counter()
    return _write(load_inputs(results_json, frame_provider), Path(out_dir), pdf, start)


def render_report_dir(directory: Path, out_dir: Path | None = None, *, pdf: bool = True,
                      frame_provider: FrameProvider | None = dataset_frame) -> ReportPaths:
    """Write ``report.html`` (and ``report.pdf``) for the result files in ``directory`` into ``out_dir``.

    ``directory`` may hold any subset of ``results.json``, ``synthetic_results.json`` and
    ``federated_results.json`` (at least one); ``out_dir`` defaults to ``directory``.
    """
    start = time.perf_counter()
    inputs = load_directory(Path(directory), frame_provider)
    return _write(inputs, Path(out_dir) if out_dir is not None else Path(directory), pdf, start)


def report_or_explain(render: Callable[[], ReportPaths], results: Path, console: Any) -> bool:
    """Run ``render``; print where the report is, or why it could not be made (then return False).

    A report that cannot be rendered does not lose the audit: the results stay in ``results`` and
    ``leakpro report`` can re-render them. WeasyPrint's refusal of a non-``data:`` URL derives from
    BaseException, hence the broad catch; an interrupt or exit is passed on.
    """
    try:
        paths = render()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        console.print(f"[bold red]The report could not be rendered[/]: {type(exc).__name__}: {exc}\n"
                      f"The results are complete in {results}; re-render them with `leakpro report`.")
        return False
    console.print(f"Report: {paths.html}" + (f" and {paths.pdf}" if paths.pdf else ""))
    return True


def _write(inputs: ReportInputs, out_dir: Path, pdf: bool, start: float) -> ReportPaths:
    html = render_html(inputs)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "report.html"
    html_path.write_text(html, encoding="utf-8")
    html_seconds = time.perf_counter() - start
    if not pdf:
        return ReportPaths(html_path, None, html_seconds, None)
    from leakpro.report.pdf import write_pdf

    start = time.perf_counter()
    pdf_path = write_pdf(html, out_dir / "report.pdf")
    return ReportPaths(html_path, pdf_path, html_seconds, time.perf_counter() - start)
