"""Report rendering time for a stored audit (the issue's budget for the demo: HTML ≤ 3 s, PDF ≤ 6 s).

Renders ``RESULTS`` (default: the demo's, ``leakpro demo --out leakpro-out/demo`` first) ``--repeat`` times, with
the ROC figures as they were (minor ticks on both log axes: BEFORE) and as they are (AFTER), in this process,
and prints the median HTML and PDF seconds of each. The machine is shared: compare the ratios.

    PYTHONPATH=src .venv/bin/python benchmarks/report.py [RESULTS] [--repeat 3] [--no-pdf]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

import matplotlib.ticker


@contextlib.contextmanager
def before() -> Iterator[None]:
    """Log axes (the ROC figures) keep matplotlib's default minor ticks (their NullLocator calls become no-ops)."""
    original = matplotlib.axis.Axis.set_minor_locator

    def keep_default(self: matplotlib.axis.Axis, locator: matplotlib.ticker.Locator) -> None:
        if not (isinstance(locator, matplotlib.ticker.NullLocator) and self.get_scale() == "log"):
            original(self, locator)

    matplotlib.axis.Axis.set_minor_locator = keep_default  # type: ignore[method-assign]
    try:
        yield
    finally:
        matplotlib.axis.Axis.set_minor_locator = original  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", type=Path, default=Path("leakpro-out/demo/results.json"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    from leakpro.report import render_report

    render_report(args.results, Path(tempfile.mkdtemp()), pdf=False)  # imports and font cache outside the timing
    times: dict[str, tuple[list[float], list[float]]] = {}
    for _ in range(args.repeat):
        for label in ("before", "after"):
            ctx = before() if label == "before" else contextlib.nullcontext()
            with ctx, tempfile.TemporaryDirectory() as tmp:
                paths = render_report(args.results, Path(tmp), pdf=not args.no_pdf)
            html, pdf = times.setdefault(label, ([], []))
            html.append(paths.html_seconds)
            pdf.append(paths.pdf_seconds or 0.0)
    med = {k: (statistics.median(h), statistics.median(p)) for k, (h, p) in times.items()}
    print(f"report of {args.results}: median of {args.repeat}")
    print(f"{'':8}{'HTML s':>8}{'PDF s':>8}")
    for k, (h, p) in med.items():
        print(f"{k:8}{h:>8.2f}{p:>8.2f}")
    print(f"{'× speed':8}{med['before'][0] / med['after'][0]:>8.2f}"
          f"{med['before'][1] / max(med['after'][1], 1e-9):>8.2f}")


if __name__ == "__main__":
    main()
