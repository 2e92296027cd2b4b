"""PDF from the same HTML, by WeasyPrint (print media: page one, then one page per attack, then the appendix)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any


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


def write_pdf(html: str, out: Path) -> Path:
    """Render ``html`` to ``out`` with WeasyPrint.

    Only inline ``data:`` URLs may be loaded: any other URL stops the rendering with an error, so a report
    that is not self-contained is caught here rather than shipped.
    """
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(string=html, url_fetcher=_fetcher()).write_pdf(out)
    return out
