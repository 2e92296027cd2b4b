"""Report rendering time for a stored audit (the issue's budget for the demo: HTML ≤ 3 s, PDF ≤ 6 s).

Renders ``RESULTS`` (default: the demo's, ``leakpro demo --out leakpro-out/demo`` first) ``--repeat`` times, with
the PDF step as it was (BEFORE: figures as RGBA PNGs, the garbage collector running through WeasyPrint's
layout, the bundled fonts parsed out of base64 ``@font-face`` CSS, scripts and screen-only rows handed to
WeasyPrint) and as it is
(AFTER), in this process, and prints the median HTML and PDF seconds of each, and checks that both PDFs have
the same text, page by page (``pdftotext``, when installed). The machine is shared: compare the ratios.

    PYTHONPATH=src .venv/bin/python benchmarks/report.py [RESULTS] [--repeat 3] [--no-pdf]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _base64_font_faces_css() -> str:
    """BEFORE: each bundled font inlined in the CSS as a base64 ``data:`` URL."""
    from leakpro.report import pdf

    rules = []
    for family, name, weight, style in pdf.FONT_FACES:
        data = base64.b64encode((pdf.FONTS / name).read_bytes()).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url("data:font/ttf;base64,{data}") format("truetype"); }}')
    return "\n".join(rules)


def _rgba_encode(fig: Any) -> str:
    """BEFORE: matplotlib's own PNG (RGBA)."""
    import matplotlib.pyplot as plt

    from leakpro.report.figures import DPI

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@contextlib.contextmanager
def before() -> Iterator[None]:
    """The PDF step as it was: RGBA figures, collector running, base64 fonts, the whole HTML."""
    from leakpro.report import figures, pdf

    saved = (pdf._collector_paused, pdf.print_html, pdf.font_faces_css, figures._encode)
    pdf._collector_paused = contextlib.nullcontext  # type: ignore[assignment]
    pdf.print_html = lambda html: html
    pdf.font_faces_css = _base64_font_faces_css  # type: ignore[assignment]
    figures._encode = _rgba_encode
    try:
        yield
    finally:
        pdf._collector_paused, pdf.print_html, pdf.font_faces_css, figures._encode = saved  # type: ignore[assignment]


def pdf_text(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", type=Path, default=Path("leakpro-out/demo/results.json"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    from leakpro.report import pdf, render_report

    warm = render_report(args.results, Path(tempfile.mkdtemp()), pdf=False)  # imports, font cache: untimed
    if not args.no_pdf:
        pdf.write_pdf(warm.html.read_text(encoding="utf-8"), warm.html.with_suffix(".pdf"))  # imports: untimed
    times: dict[str, tuple[list[float], list[float], list[float]]] = {}
    texts: dict[str, str | None] = {}
    for _ in range(args.repeat):
        for label in ("before", "after"):
            ctx = before() if label == "before" else contextlib.nullcontext()
            with ctx, tempfile.TemporaryDirectory() as tmp:
                paths = render_report(args.results, Path(tmp), pdf=False)
                html, wall, cpu = times.setdefault(label, ([], [], []))
                html.append(paths.html_seconds)
                if not args.no_pdf:  # the step render_report runs after the HTML, timed in wall and CPU seconds
                    html_text = paths.html.read_text(encoding="utf-8")
                    c0, t0 = time.process_time(), time.perf_counter()
                    out = pdf.write_pdf(html_text, Path(tmp) / "report.pdf")
                    wall.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
                    texts[label] = pdf_text(out)
    med = {k: (statistics.median(h), statistics.median(w or [0.0]), statistics.median(c or [0.0]))
           for k, (h, w, c) in times.items()}
    print(f"report of {args.results}: median of {args.repeat}; CPU seconds leave out the time other jobs held the "
          "core")
    print(f"{'':8}{'HTML s':>8}{'PDF s':>8}{'PDF CPU s':>11}")
    for k, (h, w, c) in med.items():
        print(f"{k:8}{h:>8.2f}{w:>8.2f}{c:>11.2f}")
    b, a = med["before"], med["after"]
    print(f"{'× speed':8}{b[0] / a[0]:>8.2f}{b[1] / max(a[1], 1e-9):>8.2f}{b[2] / max(a[2], 1e-9):>11.2f}")
    if texts.get("after") is not None:
        same = texts["before"] == texts["after"]
        pages = (texts["after"] or "").count("\f")
        print(f"PDF text (pdftotext -layout, {pages} pages): {'the same before and after' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
