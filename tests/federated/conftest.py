"""Shared helpers for the federated tests: one thread, tiny models, digits 8×8 or Fashion-MNIST 28×28."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from leakpro.data.federated import FederatedData, fashion_mnist_available, load_digits_images, load_fashion_mnist
from leakpro.federated.attacks.base import ServerView
from leakpro.federated.client import Protocol
from leakpro.federated.models import build_federated_model
from leakpro.federated.simulation import FederatedSimulation

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def digits() -> FederatedData:
    return load_digits_images()


@pytest.fixture(scope="session")
def fashion() -> FederatedData:
    if not fashion_mnist_available():
        pytest.skip("Fashion-MNIST absent: apt-get install dataset-fashion-mnist")
    return load_fashion_mnist("test")


def make_view(
    data: FederatedData, model_name: str, model_params: dict, *, batch: int, n_clients: int = 1,
    protocol: Protocol | None = None, secure_aggregation: bool = False, seed: int = 0, **sim_kwargs: object,
) -> tuple[ServerView, np.ndarray, np.ndarray, FederatedSimulation]:
    """The server's view of client 0's first-round update, and client 0's private records and labels."""
    model = build_federated_model(model_name, model_params, input_shape=data.input_shape,
                                  n_classes=data.n_classes, seed=seed)
    sim = FederatedSimulation(data, model, protocol or Protocol(), n_clients=n_clients, records_per_client=batch,
                              seed=seed, **sim_kwargs)  # type: ignore[arg-type]
    updates = sim.round(sim.initial_params)
    view = sim.server_view(sim.initial_params, updates, 0, secure_aggregation=secure_aggregation)
    x, y = sim.private_records(0)
    return view, x, y, sim
