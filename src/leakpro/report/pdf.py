"""PDF from the same HTML, by WeasyPrint (print media: page one, then one page per attack, then the appendix).

The PDF is laid out with fonts shipped inside this package (DejaVu Sans and DejaVu Sans Mono, see
``fonts/README.md``), loaded as ``@font-face`` rules under the family names the stylesheet asks for first
("LeakPro Sans", "LeakPro Mono"). Glyph widths, hence line breaks and page breaks, are then the same on every
machine, whatever fonts it has installed; a system font is used only for a character DejaVu lacks.

Rendering time (the demo's budget is 6 s; ``benchmarks/report.py`` measures before and after in one process
and compares the PDFs' text page by page). Four changes that leave the PDF's text as it was: Python's cyclic
garbage collector paused while WeasyPrint builds and writes the document (its layout allocates millions of
objects; collections took about a quarter of its time); the bundled fonts read from their files through the
URL fetcher instead of being parsed out of base64 ``@font-face`` CSS (0.35 s); what print never shows left out
of the HTML WeasyPrint parses and cascades (scripts and the "who leaks" rows beyond the printed ones, which the
print stylesheet hides: :func:`print_html`); and figures as RGB PNGs, whose data WeasyPrint embeds as it is
(:func:`leakpro.report.figures._encode`).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FONTS = Path(__file__).parent / "fonts"

#: (family, file, weight, style): the faces the report's stylesheet uses; bold serves weights 600 and 700.
FONT_FACES: tuple[tuple[str, str, str, str], ...] = (
    ("LeakPro Sans", "DejaVuSans.ttf", "normal", "normal"),
    ("LeakPro Sans", "DejaVuSans-Bold.ttf", "bold", "normal"),
    ("LeakPro Sans", "DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("LeakPro Sans", "DejaVuSans-BoldOblique.ttf", "bold", "italic"),
    ("LeakPro Mono", "DejaVuSansMono.ttf", "normal", "normal"),
    ("LeakPro Mono", "DejaVuSansMono-Bold.ttf", "bold", "normal"),
)


FONT_SCHEME = "leakpro-font"  # URLs the fetcher answers from FONTS (the bundled files only), nothing else


@functools.cache
def font_faces_css() -> str:
    """``@font-face`` rules for :data:`FONT_FACES`, each font named by a ``leakpro-font:`` URL that the report's
    URL fetcher answers from the bundled file (nothing is fetched from outside)."""
    rules = []
    for family, name, weight, style in FONT_FACES:
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url("{FONT_SCHEME}:{name}") format("truetype"); }}')
    return "\n".join(rules)


def _bundled_font(url: str) -> bytes | None:
    """The bytes of a bundled font named by ``leakpro-font:NAME``; None for any other URL."""
    if not url.startswith(FONT_SCHEME + ":"):
        return None
    name = url[len(FONT_SCHEME) + 1 :]
    if name not in {face[1] for face in FONT_FACES}:
        raise ValueError(f"the report asked for {url!r}, which is not a bundled font")
    return (FONTS / name).read_bytes()


def _fetcher() -> Any:
    """A URL fetcher that loads inline ``data:`` URLs and the bundled fonts only, and fails the rendering on any
    other URL."""
    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse  # WeasyPrint >= 66: fetchers are objects
    except ImportError:  # pragma: no cover - older WeasyPrint: fetchers are functions
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            font = _bundled_font(url)
            if font is not None:
                return {"string": font, "mime_type": "font/ttf"}
            if not url.startswith("data:"):
                raise ValueError(f"the report tried to load {url!r}; reports must be self-contained")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch

    class ReportFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            font = _bundled_font(url)
            if font is not None:
                return URLFetcherResponse(url, font, {"Content-Type": "font/ttf"})
            return super().fetch(url, headers)

    return ReportFetcher(allowed_protocols=["data"], fail_on_errors=True)


# What the print stylesheet hides (``display: none``), cut before WeasyPrint parses and cascades it: scripts
# (their JSON cannot contain ``</script>``, see render.script_json) and the "who leaks" rows beyond the printed
# ones, which exposed_table.html.j2 writes as exactly ``<tr class="screen-only">`` (their cells are escaped
# text: no ``</tr>`` inside).
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
_SCREEN_ONLY_ROW = re.compile(r'<tr class="screen-only">.*?</tr>', re.S)


def print_html(html: str) -> str:
    """``html`` less the scripts and screen-only table rows, which print never shows (the PDF is unchanged)."""
    return _SCREEN_ONLY_ROW.sub("", _SCRIPT.sub("", html))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees most objects) and restore it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _FontFaceFailed(logging.Handler):
    """Remembers WeasyPrint's warning that an ``@font-face`` could not be loaded (it would fall back silently)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.failed: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Font-face"):
            self.failed.append(record.getMessage())


def write_pdf(html: str, out: Path) -> Path:
    """Render ``html`` to ``out`` with WeasyPrint, in the fonts shipped with this package.

    Only inline ``data:`` URLs may be loaded: any other URL stops the rendering with an error, so a report
    that is not self-contained is caught here rather than shipped. A bundled font that cannot be loaded stops it
    too, rather than laying the report out in whatever fonts the machine has.
    """
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    logger = logging.getLogger("weasyprint")
    level, propagate = logger.level, logger.propagate
    # WeasyPrint's warnings about CSS it ignores are not the reader's business; the one about a font is
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    watch = _FontFaceFailed()
    logger.addHandler(watch)
    try:
        fetcher = _fetcher()
        font_config = FontConfiguration()
        with _collector_paused():
            fonts = weasyprint.CSS(string=font_faces_css(), font_config=font_config, url_fetcher=fetcher)
            document = weasyprint.HTML(string=print_html(html), url_fetcher=fetcher).render(
                stylesheets=[fonts], font_config=font_config)
            if watch.failed:
                raise RuntimeError(f"the report's bundled fonts could not be loaded: {'; '.join(watch.failed)}")
            document.write_pdf(out)
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)
        logger.propagate = propagate
    return out
