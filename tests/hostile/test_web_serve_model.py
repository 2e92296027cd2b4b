"""``serve-model`` against browsers: a page on another site (or one re-pointed at 127.0.0.1 by DNS rebinding) must
get no prediction and spend no query; HTTP clients that name the server keep working.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from leakpro.serve.server import ModelServer


class Tiny:
    """A two-class target: logits are the first two features."""

    n_classes = 2

    def logits(self, features: Any) -> np.ndarray:
        return np.asarray(features, dtype=np.float64)[:, :2]

    def predict(self, features: Any) -> np.ndarray:
        return np.asarray(self.logits(features).argmax(axis=1))

    def describe(self) -> str:
        return "tiny"


@pytest.fixture(scope="module")
def server() -> Iterator[ModelServer]:
    with ModelServer(Tiny(), "127.0.0.1", 0) as s:  # type: ignore[arg-type]
        yield s


def request(server: ModelServer, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """One raw request with exactly these headers (``Host`` included: http.client would add its own)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    body = json.dumps({"instances": [[1.0, 2.0]]}).encode() if method == "POST" else None
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for k, v in {"Host": f"127.0.0.1:{server.port}", **headers}.items():
        if v is not None:
            conn.putheader(k, v)
    if body is not None:
        conn.putheader("Content-Type", "text/plain")  # what a cross-site fetch may send without a preflight
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    r = conn.getresponse()
    data = json.loads(r.read() or b"{}")
    conn.close()
    return r.status, data


REFUSED: dict[str, dict[str, str]] = {
    "rebinding name": {"Host": "attacker.example:{port}"},
    "rebinding name, no port": {"Host": "attacker.example"},
    "name that starts like localhost": {"Host": "localhost.attacker.example:{port}"},
    "name that resolves to loopback": {"Host": "127.0.0.1.nip.io:{port}"},
    "userinfo trick": {"Host": "127.0.0.1@attacker.example"},
    "empty Host": {"Host": ""},
    "Origin of another site": {"Origin": "http://attacker.example"},
    "Origin null (sandboxed frame)": {"Origin": "null"},
    "Origin of another local port": {"Origin": "http://127.0.0.1:1"},
    "Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": "cross-site"},
    "Sec-Fetch-Site same-site": {"Sec-Fetch-Site": "same-site"},
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("case", REFUSED)
def test_cross_site_and_rebinding_requests_are_refused(server: ModelServer, case: str, method: str) -> None:
    headers = {k: v.format(port=server.port) for k, v in REFUSED[case].items()}
    before = server.requests_served
    status, data = request(server, method, "/predict" if method == "POST" else "/health", headers)
    assert status == 403, data
    assert "model" not in data and "logits" not in data
    assert server.requests_served == before  # no query spent


ACCEPTED: dict[str, dict[str, str]] = {
    "no browser headers": {},
    "localhost": {"Host": "localhost:{port}"},
    "IPv6 loopback": {"Host": "[::1]:{port}"},
    "this server's Origin": {"Origin": "http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"},
}


@pytest.mark.parametrize("case", ACCEPTED)
def test_clients_that_name_this_server_are_served(server: ModelServer, case: str) -> None:
    headers = {k: v.format(port=server.port) for k, v in ACCEPTED[case].items()}
    status, data = request(server, "POST", "/predict", headers)
    assert status == 200 and data == {"logits": [[1.0, 2.0]]}


def test_host_rules_for_other_bind_addresses() -> None:
    from leakpro.serve.server import host_allowed

    assert host_allowed("192.168.1.5", "0.0.0.0") and host_allowed("10.0.0.2", "10.0.0.2")
    assert not host_allowed("10.0.0.3", "10.0.0.2") and not host_allowed("10.0.0.3", "127.0.0.1")
    assert not host_allowed("models.internal", "0.0.0.0")
    assert host_allowed("models.internal", "0.0.0.0", allowed_hosts=["models.internal"])
    assert host_allowed("models.internal", "models.internal")  # bound by name: that name answers
