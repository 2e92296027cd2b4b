"""Failures end with a clear error and keep every answer already received; a budgeted audit resumes."""

from __future__ import annotations

import time

import numpy as np
import pytest

from conftest import ScriptedServer, by_id, free_port, http_cfg, logits_reply
from helpers import write_config
from leakpro.audit.runner import AuditIncomplete, run_audit
from leakpro.config.errors import ConfigError
from leakpro.serve import ModelServer, serve_model
from leakpro.targets.http_target import HttpTarget, HttpTargetError, HttpTargetSpec, QueryBudgetExceeded

X = np.arange(40, dtype=np.float32).reshape(8, 5)


def _target(url, **kw):
    return HttpTarget(HttpTargetSpec(url=url, retries=2, backoff_s=0.01, timeout_s=2, **kw), 2)


def test_server_down_is_a_clear_error_after_retries():
    url = f"http://127.0.0.1:{free_port()}/predict"
    with pytest.raises(HttpTargetError, match=r"failed after 3 attempt\(s\).*server is running"):
        _target(url).logits(X)


def test_server_down_at_audit_start_is_a_config_problem(adult_mlp):
    tmp, path, _ = adult_mlp
    cfg = http_cfg(path, f"http://127.0.0.1:{free_port()}/predict", ["loss"], retries=0)
    with pytest.raises(ConfigError, match=r"target.http: the endpoint fails on a first query of 8 rows: POST "
                       r".*failed after 1 attempt\(s\)") as err:
        run_audit(write_config(tmp, cfg, "down.yaml"))
    assert str(err.value).count("Fix:") == 1  # the endpoint's own fix, not a second, unrelated one


def test_500s_are_retried_then_reported():
    with ScriptedServer([(500, b'{"error": "boom"}')]) as server:
        with pytest.raises(HttpTargetError, match=r"HTTP 500.*boom"):
            _target(server.url).logits(X)
        assert server.hits == 3
    with ScriptedServer([(500, b"{}"), (503, b"{}"), logits_reply(8)]) as server:
        t = _target(server.url)
        assert t.logits(X).shape == (8, 2) and server.hits == 3 and t.spent == 8


def test_client_errors_are_not_retried():
    with ScriptedServer([(400, b'{"error": "bad rows"}')]) as server:
        with pytest.raises(HttpTargetError, match=r"refused with HTTP 400.*bad rows.*request_key"):
            _target(server.url).logits(X)
        assert server.hits == 1


@pytest.mark.parametrize(("reply", "message"), [
    ((200, b"<html>not json</html>"), r"malformed JSON"),
    ((200, b'{"scores": []}'), r"has no 'logits' \(found \['scores'\]\)"),
    ((200, b'{"logits": [[0, 1]]}'), r"should hold 8 answers, one per row sent, got 1"),
    (logits_reply(8, c=3), r"logits\[0\] should be 2 finite logits"),
])
def test_malformed_answers(reply, message):
    with ScriptedServer([reply]) as server:
        t = _target(server.url)
        with pytest.raises(HttpTargetError, match=message):
            t.logits(X)
        assert t.spent == 8  # the endpoint answered (HTTP 200), unusably: spent, as the endpoint counts it
        with pytest.raises(HttpTargetError, match=message):
            t.logits(X)
        assert server.hits == 2 and t.spent == 16  # nothing unusable was cached as an answer


def test_timeouts_and_rate_limit():
    with ScriptedServer([logits_reply(8)], delay_s=1.0) as server, \
            pytest.raises(HttpTargetError, match=r"(?i)timed out"):
            HttpTarget(HttpTargetSpec(url=server.url, retries=0, timeout_s=0.2), 2).logits(X)
    with ScriptedServer([logits_reply(2)]) as server:
        t = HttpTarget(HttpTargetSpec(url=server.url, batch_size=2, rate_limit_per_s=20), 2)
        start = time.perf_counter()
        t.logits(X)  # 4 requests at most 20 per second: at least 3 gaps of 50 ms
        assert time.perf_counter() - start >= 0.15 and t.requests == 4


def test_budget_exhausted_mid_attack_then_resumed(adult_mlp, tmp_path):
    _, path, target = adult_mlp
    (tmp_path / path.name).write_bytes(path.read_bytes())
    attacks = ["loss", {"label_only_augmentation": {"queries": 8}}]
    with ModelServer(target, port=0) as server:
        def audit(name, **http):
            return run_audit(write_config(tmp_path, http_cfg(tmp_path / path.name, server.url, attacks, **http),
                                          f"{name}.yaml"))

        full = audit("full", cache_dir="cache_full")
        unique = server.records_served  # every distinct row the audit needs, each answered once
        assert unique > 5000
        with pytest.raises(AuditIncomplete, match=r"5000 of 5000 records used, \d+ more needed.*kept in") as err:
            audit("budgeted", cache_dir="cache", budget=5000)
        assert server.records_served - unique == 5000  # the budget is hard: not one record more
        assert [type(f.error) for f in err.value.failures] == [QueryBudgetExceeded]
        assert list(by_id(err.value.result)) == ["loss"]  # the attack that finished is kept
        with pytest.raises(AuditIncomplete, match=r"5000 of 5000 records used"):
            audit("again", cache_dir="cache", budget=5000)  # spent budget stays spent across runs
        assert server.records_served - unique == 5000
        resumed = audit("resumed", cache_dir="cache", budget=unique)
        assert server.records_served - unique == unique  # cached rows were not re-queried
    for attack, result in by_id(full).items():
        assert by_id(resumed)[attack].auc.value == result.auc.value


def test_server_refuses_remote_hosts_and_bad_requests(adult_mlp):
    target = adult_mlp[2]
    with pytest.raises(ValueError, match=r"refusing to bind to '0\.0\.0\.0'.*allow_remote"):
        serve_model(target, "0.0.0.0", 0, block=False)
    with ModelServer(target, port=0) as server:
        with pytest.raises(HttpTargetError, match=r"HTTP 422.*model failed on these rows"):
            _target(server.url).logits(np.zeros((3, 7), dtype=np.float32))  # wrong width
        with pytest.raises(HttpTargetError, match=r"HTTP 400.*list under 'instances'"):
            _target(server.url, request_key="rows").logits(X[:, :5])
