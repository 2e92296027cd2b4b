"""PDF from the same HTML, by WeasyPrint (print media: page one, then one page per attack, then the appendix).

The PDF is laid out with fonts shipped inside this package (DejaVu Sans and DejaVu Sans Mono, see
``fonts/README.md``), loaded as ``@font-face`` rules under the family names the stylesheet asks for first
("LeakPro Sans", "LeakPro Mono"). Glyph widths, hence line breaks and page breaks, are then the same on every
machine, whatever fonts it has installed; a system font is used only for a character DejaVu lacks.
"""

from __future__ import annotations

import base64
import functools
import logging
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


@functools.cache
def font_faces_css() -> str:
    """``@font-face`` rules for :data:`FONT_FACES`, each font inlined as a ``data:`` URL (nothing is fetched)."""
    rules = []
    for family, name, weight, style in FONT_FACES:
        data = base64.b64encode((FONTS / name).read_bytes()).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url("data:font/ttf;base64,{data}") format("truetype"); }}')
    return "\n".join(rules)


def _fetcher() -> Any:
    """A URL fetcher that loads inline ``data:`` URLs only and fails the rendering on any other URL."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint >= 66: fetchers are objects
    except ImportError:  # pragma: no cover - older WeasyPrint: fetchers are functions
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"the report tried to load {url!r}; reports must be self-contained")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols=["data"], fail_on_errors=True)


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
        fonts = weasyprint.CSS(string=font_faces_css(), font_config=font_config, url_fetcher=fetcher)
        document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(stylesheets=[fonts],
                                                                            font_config=font_config)
        if watch.failed:
            raise RuntimeError(f"the report's bundled fonts could not be loaded: {'; '.join(watch.failed)}")
        document.write_pdf(out)
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)
        logger.propagate = propagate
    return out
