"""``leakpro serve-model MODEL --port P``: the command behind the CLI (the CLI only wires arguments)."""

from __future__ import annotations

import json
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


def serve_model_command(model: Path, port: int, host: str, model_name: str | None, params_json: str | None,
                        trust: bool, n_classes: int | None, in_features: int | None, *,
                        output: ServedOutput = "logits", allow_remote: bool = False,
                        trusted_types: Sequence[str] = (), echo: Callable[[str], None] = print,
                        block: bool = True) -> ModelServer:
    """Load ``model`` safely and serve it until interrupted (``block=False``: return the started server).

    Raises :class:`~leakpro.config.errors.ConfigError` (a ValueError) naming the option and the fix when the
    model cannot be loaded, and ValueError for a non-loopback ``host`` without ``allow_remote``.
    """
    target = load_served_model(model, model_name=model_name, params=parse_params(params_json), trust=trust,
                               trusted_types=trusted_types, n_classes=n_classes, in_features=in_features)
    estimator = getattr(target, "estimator", None)
    names = getattr(estimator, "feature_names_in_", None)
    columns = [str(c) for c in names] if names is not None else None
    server = serve_model(target, host, port, output=output, columns=columns, allow_remote=allow_remote, block=False)
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
