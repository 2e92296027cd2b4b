"""Serve any :class:`~leakpro.targets.protocol.Target` as a JSON prediction endpoint (standard library only).

This lets a user try the API threat model locally (``leakpro serve-model MODEL --port P``) and gives tests a
real HTTP server on localhost. The format is the default mapping of
:class:`~leakpro.targets.http_target.HttpTargetSpec`: ``POST /predict`` with ``{"instances": rows}`` answers
``{"logits": ...}``, ``{"probabilities": ...}`` or ``{"labels": ...}``, as chosen by ``output`` (``labels``
simulates a hard-label API). ``GET /health`` describes the model. The server binds to loopback only unless
``allow_remote`` is set: a model endpoint is itself a privacy risk. Every request must name this server in its
``Host`` header (a web page whose domain was re-pointed at 127.0.0.1, DNS rebinding, names its own) and, when a
browser sends an ``Origin`` or ``Sec-Fetch-Site``, come from this very server: see :func:`request_refusal`.

>>> from leakpro.serve.server import check_host
>>> check_host("127.0.0.1", allow_remote=False)
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Collection, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np

from leakpro.targets.protocol import Target

ServedOutput = Literal["logits", "probabilities", "labels"]
MAX_BODY_BYTES = 64 * 1024 * 1024


class RequestError(ValueError):
    """A bad request: answered with HTTP 400 (or ``status``) and the message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def host_allowed(name: str, bound: str, allowed_hosts: Collection[str] = ()) -> bool:
    """Whether a request's ``Host`` name may reach a server bound to ``bound``.

    Loopback names (``localhost``, 127.0.0.0/8, ::1) always may; the bound address itself may; a server bound to
    every interface (0.0.0.0, ::) takes any IP address; DNS names only when listed in ``allowed_hosts``. Other
    names are what a DNS-rebinding page sends.
    """
    name = name.lower().rstrip(".")
    if name and name in {"localhost", bound.lower().strip("[]"), *(h.lower() for h in allowed_hosts)}:
        return True
    ip, bound_ip = _ip(name), _ip(bound or "0.0.0.0")  # "" binds every interface
    if ip is None:
        return False
    return ip.is_loopback or ip == bound_ip or (bound_ip is not None and bound_ip.is_unspecified)


def request_refusal(headers: Mapping[str, str], bound: str, allowed_hosts: Collection[str] = ()) -> str | None:
    """Why a request is refused (403), or ``None``: a foreign ``Host``, or an ``Origin``/``Sec-Fetch-Site`` that
    says a page of another site (or a sandboxed one: ``Origin: null``) sent it. Clients that are not browsers
    send neither and only need a right ``Host``. ``headers`` are keyed in lower case.

    >>> request_refusal({"host": "attacker.example:8000"}, "127.0.0.1") is not None
    True
    """
    host = headers.get("host") or ""
    try:
        name = urlsplit("//" + host).hostname or ""
    except ValueError:
        name = ""
    if not host_allowed(name, bound, allowed_hosts):
        return (f"Host {host[:100]!r} is not this server: refused, as a page on another site reaching it through "
                f"DNS rebinding would be. Fix: address it as localhost, {bound} or another of its IP addresses, or "
                "name the host in allowed_hosts when starting it")
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in ("same-origin", "none"):
        return f"cross-site request refused (Sec-Fetch-Site: {fetch_site[:40]!r})"
    origin = headers.get("origin")
    if origin is not None:
        try:
            parts = urlsplit(origin)
            same = parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()
        except ValueError:
            same = False
        if not same:
            return f"cross-site request refused (Origin {origin[:100]!r} is not this server)"
    return None


def check_host(host: str, *, allow_remote: bool) -> None:
    """Refuse non-loopback addresses unless explicitly allowed."""
    if host == "localhost" or allow_remote:
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"refusing to bind to {host!r}: the model would be reachable from other machines. "
                         "Fix: use 127.0.0.1, or pass allow_remote=True (--allow-remote) if you mean it")


class ModelServer:
    """A threaded HTTP server answering predictions of ``target``; counts requests and records served."""

    def __init__(self, target: Target, host: str = "127.0.0.1", port: int = 0, *, output: ServedOutput = "logits",
                 columns: list[str] | None = None, request_key: str = "instances",
                 allow_remote: bool = False, max_rows: int = 100_000, allowed_hosts: Collection[str] = ()) -> None:
        check_host(host, allow_remote=allow_remote)
        if output not in ("logits", "probabilities", "labels"):
            raise ValueError(f"output must be logits, probabilities or labels, got {output!r}")
        self.target, self.output, self.columns = target, output, columns
        self.request_key, self.max_rows = request_key, max_rows
        self.bound, self.allowed_hosts = host, tuple(allowed_hosts)  # DNS names (besides localhost) it answers to
        self.records_served = 0
        self.requests_served = 0
        self._lock = threading.Lock()
        self._model_lock = threading.Lock()  # torch/sklearn models are not guaranteed thread-safe
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The prediction URL (``target.http.url``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/predict"

    def start(self) -> ModelServer:
        """Serve in a background thread (for tests and notebooks); returns self."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="leakpro-serve", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ModelServer:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "model": self.target.describe(), "n_classes": self.target.n_classes,
                "output": self.output, "request_key": self.request_key, "columns": self.columns}

    def predict(self, body: Any) -> dict[str, Any]:
        """Answer one request body (already parsed JSON)."""
        features = self._features(body)
        with self._model_lock:
            try:
                if self.output == "labels":
                    answer: Any = self.target.predict(features).astype(int).tolist()
                else:
                    answer = self._scores(self.target.logits(features))
            except Exception as exc:  # the model cannot take these rows: the client's fault, not retryable
                raise RequestError(f"the model failed on these rows: {type(exc).__name__}: {exc}", 422) from exc
        with self._lock:
            self.records_served += len(answer)
            self.requests_served += 1
        return {self.output: answer}

    def _scores(self, logits: np.ndarray) -> list[list[float]]:
        z = np.asarray(logits, dtype=np.float64)
        if self.output == "probabilities":
            z = np.exp(z - z.max(axis=1, keepdims=True))
            z /= z.sum(axis=1, keepdims=True)
        return [[float(v) for v in row] for row in z]

    def _features(self, body: Any) -> Any:
        if not isinstance(body, dict) or not isinstance(body.get(self.request_key), list):
            raise RequestError(f"the body must be a JSON object with a list under {self.request_key!r}")
        rows = body[self.request_key]
        if not rows:
            raise RequestError(f"{self.request_key!r} is empty")
        if len(rows) > self.max_rows:
            raise RequestError(f"{len(rows)} rows in one request; at most {self.max_rows}", 413)
        if all(isinstance(r, dict) for r in rows) or self.columns is not None:
            import pandas as pd

            try:
                return pd.DataFrame(rows) if isinstance(rows[0], dict) else pd.DataFrame(rows, columns=self.columns)
            except ValueError as exc:
                raise RequestError(f"rows do not match the model's columns {self.columns}: {exc}") from exc
        try:
            x = np.asarray(rows, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise RequestError(f"rows must be lists of numbers of equal length: {exc}") from exc
        if x.ndim < 2:
            raise RequestError("each row must be a list of feature values")
        return x


def _handler_for(app: ModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "LeakProServe/1"

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(data)

        def _refused(self) -> bool:
            headers = {k.lower(): v for k, v in self.headers.items()}
            why = request_refusal(headers, app.bound, app.allowed_hosts)
            if why is not None:
                self.close_connection = True  # the body of a refused POST is never read
                self._reply(403, {"error": why})
            return why is not None

        def do_GET(self) -> None:
            if self._refused():
                return
            if self.path.rstrip("/") in ("", "/health"):
                self._reply(200, app.health())
            else:
                self._reply(404, {"error": f"no such path {self.path!r}; POST /predict or GET /health"})

        def do_POST(self) -> None:
            if self._refused():
                return
            if self.path.rstrip("/") not in ("", "/predict"):
                self._reply(404, {"error": f"no such path {self.path!r}; POST rows to /predict"})
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
                if not 0 < length <= MAX_BODY_BYTES:
                    raise RequestError(f"Content-Length must be between 1 and {MAX_BODY_BYTES}", 413)
                try:
                    body = json.loads(self.rfile.read(length))
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise RequestError(f"the body is not valid JSON: {exc}") from exc
                self._reply(200, app.predict(body))
            except RequestError as exc:
                self._reply(exc.status, {"error": str(exc)})
            except Exception as exc:  # a server bug: report it as one, the client may retry
                self._reply(500, {"error": f"{type(exc).__name__}: {exc}"})

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI prints its own line
            return

    return Handler


def serve_model(target: Target, host: str = "127.0.0.1", port: int = 8000, *, output: ServedOutput = "logits",
                columns: list[str] | None = None, allow_remote: bool = False, block: bool = True,
                allowed_hosts: Collection[str] = ()) -> ModelServer:
    """Serve ``target`` on ``host:port`` (``port=0``: any free port). ``block=False`` returns a started server.
    ``allowed_hosts``: DNS names clients may use for it besides localhost and IP addresses (see :func:`host_allowed`).

    >>> # server = serve_model(target, port=0, block=False); ...; server.stop()
    """
    server = ModelServer(target, host, port, output=output, columns=columns, allow_remote=allow_remote,
                         allowed_hosts=allowed_hosts)
    if not block:
        return server.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
    return server
