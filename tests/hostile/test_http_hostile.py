"""Hostile or failing prediction endpoints: huge bodies, NaN answers, errors mid-audit, an exhausted budget, a kill.

Each ends with one clear paragraph (what went wrong, what was spent, what is cached, how to resume), never a
raw traceback; the attacks that finished are kept; the ledger of records spent agrees with what the endpoint
answered, also across a kill while a request is in flight.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hostile.test_data_hostile import make_world, sk_config, write

X = np.arange(32, dtype=np.float32).reshape(8, 4) / 10


class Endpoint:
    """A prediction API answering logits [x0, -x0] per row, with faults scripted by request number (1-based).

    ``rows_answered`` counts the rows of every HTTP 200 it sent (what a provider bills); faults: ``"nan"``
    (NaN logits), ``"500"``, ``"stream"`` (an endless body without Content-Length), ``"claim"`` (a
    Content-Length of 10 GB), ``"slow"`` (answers after ``slow_s``).
    """

    def __init__(self, faults: dict[int, str] | None = None, after: str | None = None, slow_s: float = 30.0) -> None:
        self.faults, self.after, self.slow_s = faults or {}, after, slow_s
        self.requests = self.rows_answered = self.bytes_sent = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                rows = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["instances"]
                with outer.lock:
                    outer.requests += 1
                    fault = outer.faults.get(outer.requests, outer.after if outer.requests > max(
                        outer.faults, default=0) else None)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    outer.answer(self, rows, fault)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/predict"

    def answer(self, h: BaseHTTPRequestHandler, rows: list[list[float]], fault: str | None) -> None:
        if fault == "500":
            body = b'{"error": "model crashed"}'
            h.send_response(500)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            return
        with self.lock:
            self.rows_answered += len(rows)
        if fault == "slow":
            time.sleep(self.slow_s)
        h.send_response(200)
        if fault == "stream":  # 220 MB, no Content-Length: read until the server closes
            h.end_headers()
            chunk = b" " * (1 << 20)
            for _ in range(220):
                h.wfile.write(chunk)
                self.bytes_sent += len(chunk)
            return
        logits = [[float("nan"), float("nan")] if fault == "nan" else [r[0], -r[0]] for r in rows]
        body = json.dumps({"logits": logits}).encode()
        h.send_header("Content-Length", str(10**10 if fault == "claim" else len(body)))
        h.end_headers()
        h.wfile.write(body)

    def __enter__(self) -> Endpoint:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _target(url: str, cache: Path | None = None, **spec: Any) -> Any:
    from leakpro.targets.http_target import HttpTarget, HttpTargetSpec

    return HttpTarget(HttpTargetSpec(url=url, retries=0, backoff_s=0.0, timeout_s=20, **spec), 2, cache_dir=cache)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("hostile_http"))


def _http_config(url: str, attacks: list[Any], **http: Any) -> dict[str, Any]:
    return sk_config(target={"kind": "http", "http": {"url": url, "batch_size": 100, "retries": 0,
                                                      "backoff_s": 0.0, "cache_dir": "cache", **http}},
                     attacks=attacks)


def _cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from leakpro.cli.app import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def _no_traceback(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_an_endless_response_body_is_cut_at_the_cap():
    from leakpro.targets.http_target import HttpTargetError

    with Endpoint({1: "stream"}) as api:
        start = time.perf_counter()
        with pytest.raises(HttpTargetError, match=r"sent a response of more than 67,108,864 bytes, larger than "
                           r"target.http.max_response_bytes \(67,108,864\); it was not read.*Fix: lower "
                           r"target.http.batch_size"):
            _target(api.url).logits(X)
        assert time.perf_counter() - start < 20
    assert api.bytes_sent < 100 * (1 << 20)  # the client stopped reading at the cap, not at 220 MB


@pytest.mark.parametrize(("fault", "cap", "problem"), [
    ("claim", 1 << 26, r"sent a response of 10,000,000,000 bytes"),
    (None, 1024, r"sent a response of [\d,]+ bytes, larger than target.http.max_response_bytes \(1,024\)"),
], ids=["content-length-10GB", "small-cap"])
def test_responses_over_the_cap_are_refused(fault, cap, problem):
    from leakpro.targets.http_target import HttpTargetError

    x = np.arange(640, dtype=np.float32).reshape(160, 4)  # 160 distinct rows: about 4 kB of logits
    with Endpoint({1: fault} if fault else {}) as api, pytest.raises(HttpTargetError, match=problem):
        _target(api.url, max_response_bytes=cap).logits(x)


def test_nan_mid_audit_keeps_the_other_attack_and_prints_nan_literally(world, tmp_path):
    with Endpoint({3: "nan"}) as api:  # request 1: the 8-row check, 2-5: the loss attack's 392 rows
        cfg = write(world, _http_config(api.url, ["loss", "population"]), "nan.yaml")
        result = _cli("audit", str(cfg), "--out", str(tmp_path / "out"), "--no-pdf")
    _no_traceback(result)
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "[nan, nan]" in out  # printed, not eaten by rich as markup
    assert "attack 'loss' on target 'target': HttpTargetError" in out
    assert "Spent: 208 records over all runs" in out and "answers are kept in" in out  # when loss failed
    assert out.count("Fix:") == 1 and "Fix: check the model behind the endpoint" in out
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [a["id"] for a in saved["targets"][0]["attacks"]] == ["population"]
    assert any(n.startswith("Incomplete: attack 'loss'") for n in saved["notes"])
    assert saved["api_usage"]["spent"] == api.rows_answered == 500  # 8 + 200 (100 NaN) + the 292 rows left


def test_endpoint_failing_mid_audit_then_resumed_pays_each_row_once(world, tmp_path):
    from leakpro.audit.runner import AuditIncomplete, run_audit

    with Endpoint({1: "ok", 2: "ok"}, after="500") as api:  # the 8-row check and one batch, then HTTP 500
        cfg = _http_config(api.url, ["loss"])
        cfg["target"]["http"]["cache_dir"] = str(tmp_path / "cache")
        path = write(world, cfg, "fail.yaml")
        with pytest.raises(AuditIncomplete) as err:
            run_audit(path, out=tmp_path / "out")
        message = str(err.value)
        assert "could not finish" in message and "HTTP 500 Internal Server Error: model crashed" in message
        assert "Spent: 108 records over all runs" in message and "108 answers are kept in" in message
        assert "re-running the same command with the same cache re-reads them" in message
        assert message.count("Fix:") == 1
        api.after = None  # the endpoint recovers
        result = run_audit(path, out=tmp_path / "out")
    assert result.api_usage["spent"] == api.rows_answered == 400  # each row paid once: ledger == endpoint


def test_budget_exhausted_on_the_command_line(world, tmp_path):
    with Endpoint() as api:
        cfg = write(world, _http_config(api.url, ["loss"], budget=250), "budget.yaml")
        result = _cli("audit", str(cfg), "--out", str(tmp_path / "out"), "--no-pdf")
    _no_traceback(result)
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "query budget exhausted: 250 of 250 records used, 150 more needed" in out
    assert "Spent: 250 records of a budget of 250 over all runs" in out
    assert "Fix: raise target.http.budget to at least 400 and re-run the same command" in out
    assert out.count("Fix:") == 1 and api.rows_answered == 250


CHILD = """
import sys
from pathlib import Path
import numpy as np
from leakpro.targets.http_target import HttpTarget, HttpTargetSpec
spec = HttpTargetSpec(url=sys.argv[1], batch_size=4, retries=0, timeout_s=60)
HttpTarget(spec, 2, cache_dir=Path(sys.argv[2])).logits(np.arange(32, dtype=np.float32).reshape(8, 4) / 10)
"""


def test_a_kill_during_a_request_leaves_ledger_and_endpoint_agreeing(tmp_path):
    cache = tmp_path / "cache"
    with Endpoint({2: "slow"}, slow_s=30) as api:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(CHILD), api.url, str(cache)], env=env)
        deadline = time.monotonic() + 30
        while api.rows_answered < 8 and time.monotonic() < deadline:  # the second batch is in flight
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert api.rows_answered == 8
        assert _target(api.url, cache, batch_size=4).spent == 8  # the in-flight batch counts
        api.faults = {}
        resumed = _target(api.url, cache, batch_size=4)
        resumed.logits(X)
    assert api.rows_answered == 12 and resumed.spent == 12  # paid again for the lost answers: both say so
