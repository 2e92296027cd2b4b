"""``leakpro serve``: start the web app on this computer and print (and optionally open) its address."""

from __future__ import annotations

import sys
import threading
import webbrowser
from pathlib import Path

from leakpro.web.security import BindError, check_bind, is_loopback


def app_url(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve_command(host: str, port: int, token: str | None, data_dir: Path, open_browser: bool) -> None:
    """Serve the app until interrupted. Beyond loopback only with ``token``, which every request must carry.

    Audits, uploads and reports are kept under ``data_dir``; audits a previous run left unfinished are shown as
    interrupted and can be resumed. Raises :class:`~leakpro.web.security.BindError` for a refused address.
    """
    import uvicorn

    from leakpro.web.app import WebSettings, create_app

    check_bind(host, token)
    data_dir = Path(data_dir).expanduser().resolve()
    app = create_app(WebSettings(data_dir=data_dir, token=token, loopback_only=is_loopback(host)))
    url = app_url(host, port, token)
    print(f"LeakPro web app: {url}\n  data: {data_dir}\n  stop with Ctrl+C", file=sys.stderr)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")


__all__ = ["BindError", "app_url", "serve_command"]
