"""``leakpro serve-model MODEL --port P``: the command behind the CLI (the CLI only wires arguments)."""

from __future__ import annotations

import errno
import json
import re
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from leakpro.serve.load import load_served_model
from leakpro.serve.server import ModelServer, ServedOutput, serve_model


def parse_params(params_json: str | None) -> dict[str, Any]:
    """``--params`` as a JSON object, with a clear error otherwise."""
    if not params_json:
        return {}
    try:
        params = json.loads(params_json)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--params is not valid JSON ({exc}); write e.g. '{{\"hidden\": [128, 128]}}'") from exc
    if not isinstance(params, dict):
        raise ValueError(f"--params must be a JSON object, got {type(params).__name__}; "
                         "write e.g. '{\"hidden\": [128, 128]}'")
    return params


def bind_problem(exc: OSError, host: str, port: int) -> str:
    """Why the server could not listen on ``host:port``, with the fix."""
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use (another server, or an earlier serve-model still "
                "running). Fix: stop that process, or choose another --port (--port 0 picks a free one)")
    if exc.errno == errno.EACCES:
        return (f"not allowed to listen on port {port} (ports below 1024 need administrator rights). "
                "Fix: choose a --port of 1024 or more")
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine. Fix: use --host 127.0.0.1, or one of its own addresses"
    return f"cannot listen on {host}:{port} ({exc.strerror or exc}). Fix: check --host and --port"


def port_problem(host: str, port: int) -> str | None:
    """Why nothing can listen on ``host:port`` now (a port in use, ...), or None. Binds and closes at once."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no obstacle
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            return bind_problem(exc, host, port)
    return None


def _host_names(names: Sequence[str]) -> tuple[str, ...]:
    """``--allowed-host`` values as bare DNS names (no scheme, port, path or wildcard), lower case."""
    out = []
    for raw in names:
        name = raw.strip().lower().rstrip(".")
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*", name):
            raise ValueError(f"--allowed-host {raw[:100]!r} is not a host name. Fix: give the bare name clients "
                             "use, e.g. --allowed-host models.internal (no scheme, port or path)")
        out.append(name)
    return tuple(out)


def serve_model_command(model: Path, port: int, host: str, model_name: str | None, params_json: str | None,
                        trust: bool, n_classes: int | None, in_features: int | None, *,
                        output: ServedOutput = "logits", allow_remote: bool = False,
                        trusted_types: Sequence[str] = (), allowed_hosts: Sequence[str] = (),
                        echo: Callable[[str], None] = print, block: bool = True) -> ModelServer:
    """Load ``model`` safely and serve it until interrupted (``block=False``: return the started server).

    ``allowed_hosts``: DNS names clients may address it by (``--allowed-host``), besides localhost and its IP
    addresses; any other ``Host`` header is refused, as a DNS-rebinding page would send it.

    Raises :class:`~leakpro.config.errors.ConfigError` (a ValueError) naming the option and the fix when the
    model cannot be loaded, and ValueError for a non-loopback ``host`` without ``allow_remote`` or an address
    it cannot listen on (a port in use).
    """
    names_allowed = _host_names(allowed_hosts)
    target = load_served_model(model, model_name=model_name, params=parse_params(params_json), trust=trust,
                               trusted_types=trusted_types, n_classes=n_classes, in_features=in_features)
    estimator = getattr(target, "estimator", None)
    names = getattr(estimator, "feature_names_in_", None)
    columns = [str(c) for c in names] if names is not None else None
    try:
        server = serve_model(target, host, port, output=output, columns=columns, allow_remote=allow_remote,
                             block=False, allowed_hosts=names_allowed)
    except OSError as exc:  # the port is taken, privileged, or the address is not this machine's
        raise ValueError(bind_problem(exc, host, port)) from None
    echo(f"Serving {target.describe()} at {server.url} ({output}; POST {{\"instances\": [[...], ...]}}; "
         f"GET /health). Use it in an audit with target: {{kind: http, http: {{url: {server.url}}}}}. "
         "Stop with Ctrl-C.")
    if not block:
        return server
    try:
        while server.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        echo("Stopping.")
    finally:
        server.stop()
    return server
