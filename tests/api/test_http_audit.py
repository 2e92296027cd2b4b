"""An audit through a real HTTP server on 127.0.0.1 gives the same membership results as in-process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import HIDDEN, RECIPE, by_id, data_spec, http_cfg
from helpers import write_config
from leakpro.audit.runner import run_audit
from leakpro.config.errors import ConfigError
from leakpro.serve import ModelServer

ATTACKS = ["loss", {"rmia": {"reference_models": 2}}, {"label_only_augmentation": {"queries": 4}}]


def _local_cfg(path, attacks=ATTACKS, threat="scores"):
    return {"seed": 0, "data": data_spec(path), "attacks": attacks, "threat_model": threat,
            "target": {"kind": "torch", "model": "mlp", "params": {"hidden": HIDDEN},
                       "weights": "mlp.safetensors", "recipe": RECIPE}}


def test_http_audit_matches_in_process(adult_mlp, served):
    tmp, path, _ = adult_mlp
    local = run_audit(write_config(tmp, _local_cfg(path), "local.yaml"), out=tmp / "local")
    remote = run_audit(write_config(tmp, http_cfg(path, served.url, ATTACKS), "http.yaml"), out=tmp / "remote")
    a, b = by_id(local), by_id(remote)
    scores_a = pd.read_csv(tmp / "local" / "scores" / "target.csv")
    scores_b = pd.read_csv(tmp / "remote" / "scores" / "target.csv")
    np.testing.assert_allclose(scores_a[list(a)].to_numpy(), scores_b[list(a)].to_numpy(), rtol=0, atol=1e-9)
    assert a.keys() == b.keys() == {"loss", "rmia", "label_only_augmentation"}
    for k in a:
        assert abs(a[k].auc.value - b[k].auc.value) <= 1e-9, (k, a[k].auc, b[k].auc)
        assert a[k].queries == b[k].queries
    assert a["loss"].auc.low > 0.5  # the overfit target is caught through the API too
    assert remote.targets[0].test_accuracy == local.targets[0].test_accuracy
    assert "HTTP endpoint" in remote.targets[0].description
    assert served.records_served > 0
    assert local.api_usage is None and remote.api_usage is not None
    assert remote.api_usage["sent"] + remote.api_usage["cache_hits"] >= sum(x.queries for x in b.values())
    assert remote.api_usage["spent"] >= remote.api_usage["sent"] > 0


def test_label_only_api_matches_in_process(adult_mlp):
    tmp, path, target = adult_mlp
    attacks = [{"label_only_augmentation": {"queries": 4}}]
    local = run_audit(write_config(tmp, _local_cfg(path, attacks, "labels"), "local_labels.yaml"))
    with ModelServer(target, port=0, output="labels") as server:
        cfg = http_cfg(path, server.url, attacks, "labels", output="labels")
        remote = run_audit(write_config(tmp, cfg, "http_labels.yaml"))
        with pytest.raises(ConfigError, match=r"threat_model: the endpoint returns labels only"):
            run_audit(write_config(tmp, http_cfg(path, server.url, ["loss"], output="labels"), "bad.yaml"))
    assert by_id(local)["label_only_augmentation"].auc.value == pytest.approx(
        by_id(remote)["label_only_augmentation"].auc.value, abs=1e-9)


def test_http_config_problems_are_listed(adult_mlp):
    tmp, path, _ = adult_mlp
    cfg = http_cfg(path, "http://127.0.0.1:1/predict", ATTACKS)
    del cfg["target"]["http"]
    with pytest.raises(ConfigError, match=r"target\.http: missing"):
        run_audit(write_config(tmp, cfg, "nohttp.yaml"))
    cfg = http_cfg(path, "ftp://example/predict", ATTACKS, batch_size=0, budgett=5)
    with pytest.raises(ConfigError) as err:
        run_audit(write_config(tmp, cfg, "badhttp.yaml"))
    text = str(err.value)
    assert "target.http.url" in text and "target.http.batch_size" in text and "did you mean 'budget'" in text
