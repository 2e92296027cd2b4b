"""``leakpro serve-model --allowed-host NAME`` (issue 14's loose end): the names reach the server's Host check."""

from __future__ import annotations

import http.client
import json
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

from leakpro.cli.app import app

X = np.random.default_rng(0).standard_normal((40, 3))


@pytest.fixture
def model_file(tmp_path):
    import skops.io as sio

    sio.dump(LogisticRegression().fit(X, (X[:, 0] > 0).astype(int)), tmp_path / "lr.skops")
    return tmp_path / "lr.skops"


def _status(port: int, host: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/predict", body=json.dumps({"instances": X[:2].tolist()}),
                     headers={"Host": host, "Content-Type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


def test_allowed_host_names_are_served_and_others_refused(model_file):
    from leakpro.serve import serve_model_command

    server = serve_model_command(model_file, 0, "127.0.0.1", None, None, False, None, None,
                                 allowed_hosts=["Models.Internal"], echo=lambda _: None, block=False)
    try:
        port = int(server.url.rsplit(":", 1)[1].split("/")[0])
        assert _status(port, f"models.internal:{port}") == 200
        assert _status(port, f"localhost:{port}") == 200
        assert _status(port, f"rebind.attacker.example:{port}") == 403
    finally:
        server.stop()


@pytest.mark.parametrize("bad", ["http://models.internal", "models.internal:8080", "*.internal", "a b"])
def test_allowed_host_must_be_a_bare_name(model_file, bad):
    from leakpro.serve import serve_model_command

    with pytest.raises(ValueError, match=r"--allowed-host .* is not a host name"):
        serve_model_command(model_file, 0, "127.0.0.1", None, None, False, None, None, allowed_hosts=[bad],
                            echo=lambda _: None, block=False)


def test_cli_passes_every_allowed_host(model_file, monkeypatch):
    import leakpro.serve

    seen: dict[str, Any] = {}

    def fake(*args: Any, **kwargs: Any) -> None:
        seen.update(kwargs)

    monkeypatch.setattr(leakpro.serve, "serve_model_command", fake)
    result = CliRunner().invoke(app, ["serve-model", str(model_file), "--allowed-host", "models.internal",
                                      "--allowed-host", "gpu-box.lan"])
    assert result.exit_code == 0, result.output
    assert seen["allowed_hosts"] == ("models.internal", "gpu-box.lan")


def test_cli_refuses_an_allowed_host_that_is_not_a_name(model_file):
    refused = CliRunner().invoke(app, ["serve-model", str(model_file), "--allowed-host", "http://x"])
    assert refused.exit_code == 2 and "not a host name" in refused.output
