"""An audit through a real HTTP server on 127.0.0.1 gives the same membership results as in-process.

Exact, not approximately equal. The HTTP path itself loses nothing: features go out as JSON numbers that
round-trip float64 (the server reads them as the same float32 values the in-process target uses) and scores come
back as float64 ``repr``s. What can differ is the model's arithmetic: a float32 matrix product may round a row's
logits differently depending on how many rows share the product (BLAS picks kernels by shape; here one row
alone takes another path than two or more, see ``test_a_batched_mlp_rounds_by_batch``), and the endpoint sees
other batches than the in-process target (its batch size, rows already cached). So both sides run the same
weights through :class:`RowwiseMLP`, whose logits for a row depend on that row alone: equal by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from conftest import HIDDEN, RECIPE, by_id, data_spec, http_cfg
from helpers import write_config
from leakpro.audit.runner import run_audit
from leakpro.config.errors import ConfigError
from leakpro.serve import ModelServer
from leakpro.targets.torch_target import TorchTarget
from leakpro.training.models import MLP
from leakpro.training.torch_train import torch_logits

ATTACKS = ["loss", {"rmia": {"reference_models": 2}}, {"label_only_augmentation": {"queries": 4}}]


class RowwiseMLP(MLP):
    """The MLP evaluated one row at a time: a row's logits never depend on the other rows of its batch."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        one = super().forward
        return one(x) if x.shape[0] <= 1 else torch.cat([one(x[i : i + 1]) for i in range(x.shape[0])])


def _rowwise_target(tmp, n_features):
    model = RowwiseMLP(n_features, 2, hidden=tuple(HIDDEN))
    model.load_state_dict(load_file(tmp / "mlp.safetensors"))
    return TorchTarget(model, 2)


def _local_cfg(path, attacks=ATTACKS, threat="scores"):
    """The same audit in-process: the target is the served weights in :class:`RowwiseMLP`; reference models
    follow the plain MLP recipe, as in :func:`conftest.http_cfg`."""
    recipe = {**RECIPE, "model": "mlp", "params": {"hidden": list(HIDDEN)}}
    shape = {"in_features": len(data_spec(path)["features"]), "n_classes": 2, "hidden": list(HIDDEN)}
    return {"seed": 0, "data": data_spec(path), "attacks": attacks, "threat_model": threat,
            "target": {"kind": "torch", "model": f"{__name__}:RowwiseMLP", "params": shape,
                       "weights": "mlp.safetensors", "recipe": recipe, "trust": True}}


def test_a_batched_mlp_rounds_by_batch(adult_mlp):
    """Why :class:`RowwiseMLP`: the plain MLP's float32 logits for a row change with the rows beside it (here
    from a lone row to a batch), while the row-wise model gives every row the same bits in any batch."""
    tmp, path, target = adult_mlp
    x = pd.read_csv(path)[data_spec(path)["features"]].to_numpy(np.float32)[:400]
    rowwise = _rowwise_target(tmp, x.shape[1])
    batched_alone = np.concatenate([torch_logits(target.module, x[i : i + 1]) for i in range(len(x))])
    assert np.abs(batched_alone - torch_logits(target.module, x)).max() > 0  # rounding follows the batch
    alone = np.concatenate([rowwise.logits(x[i : i + 1]) for i in range(len(x))])
    np.testing.assert_array_equal(alone, rowwise.logits(x))
    np.testing.assert_array_equal(rowwise.logits(x[::-1]), rowwise.logits(x)[::-1])
    assert np.abs(rowwise.logits(x) - torch_logits(target.module, x)).max() < 1e-3  # the same function


def test_http_audit_matches_in_process(adult_mlp):
    tmp, path, _ = adult_mlp
    n_features = len(data_spec(path)["features"])
    local = run_audit(write_config(tmp, _local_cfg(path), "local.yaml"), out=tmp / "local")
    with ModelServer(_rowwise_target(tmp, n_features), "127.0.0.1", 0) as served:
        remote = run_audit(write_config(tmp, http_cfg(path, served.url, ATTACKS), "http.yaml"), out=tmp / "remote")
    a, b = by_id(local), by_id(remote)
    scores_a = pd.read_csv(tmp / "local" / "scores" / "target.csv", float_precision="round_trip")
    scores_b = pd.read_csv(tmp / "remote" / "scores" / "target.csv", float_precision="round_trip")
    np.testing.assert_array_equal(scores_a[list(a)].to_numpy(), scores_b[list(a)].to_numpy())
    assert a.keys() == b.keys() == {"loss", "rmia", "label_only_augmentation"}
    for k in a:
        assert a[k].auc == b[k].auc, (k, a[k].auc, b[k].auc)
        assert a[k].tpr_at_fpr == b[k].tpr_at_fpr, k
        assert a[k].queries == b[k].queries
    assert a["loss"].auc.low > 0.5  # the overfit target is caught through the API too
    assert remote.targets[0].test_accuracy == local.targets[0].test_accuracy
    assert "HTTP endpoint" in remote.targets[0].description
    assert served.records_served > 0
    assert local.api_usage is None and remote.api_usage is not None
    usage = remote.api_usage
    # what the target counted as sent is what the server answered (an attack's own query count is not comparable:
    # signals shared by attacks are asked once, and a row repeated within one request is sent once)
    assert usage["sent"] == served.records_served > 0 and usage["spent"] >= usage["sent"]


def test_label_only_api_matches_in_process(adult_mlp):
    tmp, path, _ = adult_mlp
    attacks = [{"label_only_augmentation": {"queries": 4}}]
    local = run_audit(write_config(tmp, _local_cfg(path, attacks, "labels"), "local_labels.yaml"))
    target = _rowwise_target(tmp, len(data_spec(path)["features"]))
    with ModelServer(target, port=0, output="labels") as server:
        cfg = http_cfg(path, server.url, attacks, "labels", output="labels")
        remote = run_audit(write_config(tmp, cfg, "http_labels.yaml"))
        with pytest.raises(ConfigError, match=r"threat_model: the endpoint returns labels only"):
            run_audit(write_config(tmp, http_cfg(path, server.url, ["loss"], output="labels"), "bad.yaml"))
    assert by_id(local)["label_only_augmentation"].auc == by_id(remote)["label_only_augmentation"].auc


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
