"""The Flower strategy wrapper inside Flower's own simulation engine (Ray on loopback)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib.util import find_spec
from typing import TYPE_CHECKING

import numpy as np
import pytest
import torch

from leakpro.data.federated import FederatedData
from leakpro.federated.attacks.inverting_gradients import InvertingGradients
from leakpro.federated.client import Protocol
from leakpro.federated.metrics import psnr
from leakpro.federated.models import build_federated_model

if TYPE_CHECKING:
    from leakpro.federated.flower import AttackingFedAvg

# Flower and Ray are imported inside the test: importing them at collection would cost every xdist worker
# about a second, also the workers that never run this file. Whether they are installed is looked up without
# importing them.
INSTALL = "pip install 'flwr[simulation]==1.41.0'"
pytestmark = [
    pytest.mark.skipif(find_spec("flwr") is None, reason=f"flwr is not installed: {INSTALL}"),
    pytest.mark.skipif(find_spec("ray") is None, reason=f"Flower's simulation engine needs ray: {INSTALL}"),
]


def _model() -> torch.nn.Module:
    return build_federated_model("mlp", {"hidden": [32]}, input_shape=(1, 8, 8), n_classes=10, seed=0)


def _run(digits: FederatedData, *, secure: bool) -> tuple[AttackingFedAvg, list[tuple[torch.Tensor, torch.Tensor]]]:
    os.environ["FLWR_TELEMETRY_ENABLED"] = "0"
    from flwr.simulation import run_simulation

    from leakpro.federated.flower import AttackingFedAvg, make_client_app, make_server_app

    protocol = Protocol(algorithm="fedsgd", lr=0.1)
    partitions = [(digits.x[k:k + 1], digits.y[k:k + 1]) for k in (11, 22, 33)]
    strategy = AttackingFedAvg(
        model=_model(), attack=InvertingGradients(iterations=200, random_state=0), protocol=protocol,
        input_shape=(1, 8, 8), n_classes=10, bounds=(0.0, 1.0), secure_aggregation=secure, records_to_reconstruct=1,
        fraction_evaluate=0.0, min_train_nodes=3, min_available_nodes=3,
    )
    run_simulation(make_server_app(strategy, _model(), num_rounds=1), make_client_app(_model, partitions, protocol),
                   num_supernodes=3, backend_config={"client_resources": {"num_cpus": 1, "num_gpus": 0.0},
                                   "init_args": {"num_cpus": 1}})
    return strategy, partitions


@pytest.fixture
def one_ray_cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Both simulations of a test share one local Ray cluster (Flower starts Ray only if it is not running, and
    shuts it down after each run; a start costs seconds here); it is shut down once at the end."""
    import ray

    monkeypatch.setattr(ray, "shutdown", lambda *args, **kwargs: None)
    yield
    monkeypatch.undo()
    ray.shutdown()


@pytest.mark.usefixtures("one_ray_cluster")
def test_flower_server_sees_each_update_and_reconstructs(digits: FederatedData) -> None:
    strategy, partitions = _run(digits, secure=False)
    assert len(strategy.reconstructions) == 3
    originals = [x[0].numpy() for x, _ in partitions]
    best = [max(psnr(r.reconstruction.x[0], o) for o in originals) for r in strategy.reconstructions]
    assert min(best) > 25.0  # every client's image recovered (node ids are Flower's, so match by content)
    labels = sorted(int(r.reconstruction.labels[0]) for r in strategy.reconstructions)
    assert labels == sorted(int(y[0]) for _, y in partitions)
    # and, with secure aggregation, only one aggregate is attacked and it matches no client well
    secure, _ = _run(digits, secure=True)
    assert len(secure.reconstructions) == 1 and secure.reconstructions[0].node_id is None
    agg_best = max(psnr(secure.reconstructions[0].reconstruction.x[0], o) for o in originals)
    assert agg_best < min(best) - 5.0
    assert np.isfinite(agg_best)
