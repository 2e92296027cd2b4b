"""Tabular inversion against the majority baseline; the curious client's MIA planted (overfit) vs null."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from leakpro.data.federated import FederatedData, load_adult_tabular
from leakpro.federated.attacks.client_mia import ClientMembershipInference
from leakpro.federated.attacks.tabular import TabularInversion, decode_rows
from leakpro.federated.client import Protocol
from leakpro.federated.metrics import match_reconstructions, tabular_column_accuracy
from leakpro.federated.models import build_federated_model
from leakpro.federated.scoring import tabular_baseline
from leakpro.federated.simulation import FederatedSimulation
from leakpro.metrics.roc import auc_delong_interval

from .conftest import make_view


@pytest.fixture(scope="module")
def adult() -> FederatedData:
    return load_adult_tabular("train")


def test_tabular_inversion_beats_majority_guess(adult: FederatedData) -> None:
    view, x, _, sim = make_view(adult, "tabular_mlp", {"hidden": [32]}, batch=2, seed=3)
    assert adult.schema is not None
    rec = TabularInversion(iterations=250, random_state=0).run(view)
    truth = decode_rows(x, adult.schema)
    accuracy = tabular_column_accuracy(decode_rows(rec.x[match_reconstructions(rec.x, x)], adult.schema), truth)
    baseline = tabular_baseline(decode_rows(adult.x[sim.population[:500]].numpy(), adult.schema), truth)
    assert set(accuracy) == set(adult.schema.numeric) | {c.name for c in adult.schema.categorical}
    assert np.mean(list(accuracy.values())) > np.mean(list(baseline.values())) + 0.2
    categorical = [c.name for c in adult.schema.categorical]
    assert np.mean([accuracy[c] for c in categorical]) > np.mean([baseline[c] for c in categorical])
    # every decoded categorical block is a valid one-hot
    for c in adult.schema.categorical:
        assert np.allclose(rec.x[:, c.start:c.stop].sum(axis=1), 1.0)


def test_tabular_inversion_needs_a_schema(digits: FederatedData) -> None:
    view, *_ = make_view(digits, "mlp", {"hidden": [8]}, batch=1)
    with pytest.raises(ValueError, match="tabular_inversion needs tabular data"):
        TabularInversion(iterations=1).run(view)


def _federation(data: FederatedData, seed: int) -> tuple[torch.nn.Module, list, FederatedSimulation]:
    model = build_federated_model("mlp", {"hidden": [128]}, input_shape=data.input_shape, n_classes=10, seed=seed)
    protocol = Protocol(algorithm="fedavg", local_steps=20, lr=0.2)
    sim = FederatedSimulation(data, model, protocol, n_clients=4, records_per_client=30, seed=seed)
    return model, sim.run(rounds=30), sim


def test_client_mia_planted_and_null(fashion: FederatedData) -> None:
    model, history, sim = _federation(fashion, seed=0)
    members = np.concatenate(sim.partitions[1:])  # the other clients' records; client 0 is the curious one
    n = len(members)
    attack = ClientMembershipInference()

    def interval(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float, float]:
        idx = torch.from_numpy(np.concatenate([pos, neg]))
        scores = attack.scores(model, history, fashion.x[idx], fashion.y[idx])
        return auc_delong_interval(scores, np.r_[np.ones(len(pos)), np.zeros(len(neg))])

    planted = interval(members, sim.population[:n])
    null = interval(sim.population[n:2 * n], sim.population[2 * n:3 * n])
    assert planted[1] > 0.6  # lower end of the 95% interval: the overfit federation leaks membership
    assert null[1] < 0.5 < null[2]  # null control: no leakage claimed


def test_client_mia_needs_a_round(digits: FederatedData) -> None:
    model = build_federated_model("mlp", {"hidden": [8]}, input_shape=(1, 8, 8), n_classes=10, seed=0)
    from leakpro.federated.client import model_params

    with pytest.raises(ValueError, match="at least two global models"):
        ClientMembershipInference().scores(model, [model_params(model)], digits.x[:3], digits.y[:3])
    with pytest.raises(ValueError, match="signal"):
        ClientMembershipInference(signal="gradient")
