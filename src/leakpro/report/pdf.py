"""PDF from the same HTML, by WeasyPrint (print media: page one, then one page per attack, then the appendix)."""

from __future__ import annotations

import logging
from pathlib import Path


def write_pdf(html: str, out: Path) -> Path:
    """Render ``html`` to ``out`` with WeasyPrint.

    Only inline ``data:`` URLs may be loaded: any other URL stops the rendering with an error, so a report that
    is not self-contained is caught here rather than shipped.
    """
    import weasyprint
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = URLFetcher(allowed_protocols=["data"], fail_on_errors=True)
    weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(out)
    return out
