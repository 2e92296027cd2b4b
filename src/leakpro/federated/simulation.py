"""A federated training run simulated in-process: clients' partitions, rounds, aggregation, server views.

The challenger draws disjoint partitions of ``records_per_client`` records for ``n_clients`` clients
(the secret); the rest of the data is the population (for baselines and non-members). Each round every
client runs :meth:`leakpro.federated.client.Client.update` — the same code path for the attacked client as
for the others — and the server aggregates with the record-weighted mean: FedSGD applies
``θ ← θ − lr · ḡ``, FedAvg ``θ ← θ + Δ̄``. :meth:`FederatedSimulation.server_view` is what a curious server
sees of one round: one client's update, or only the aggregate under secure aggregation.

>>> # sim = FederatedSimulation(data, model, Protocol(), n_clients=4, records_per_client=8, seed=0)
>>> # history = sim.run(rounds=3)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from leakpro.data.federated import FederatedData
from leakpro.federated.attacks.base import ServerView
from leakpro.federated.client import Client, ClientUpdate, Params, Protocol, model_params
from leakpro.federated.defences import LocalDefence, secure_aggregate, weighted_mean

RoundObserver = Callable[[int, Params, list[ClientUpdate]], None]


class FederatedSimulation:
    """Clients with disjoint private partitions training one global model."""

    def __init__(
        self, data: FederatedData, model: nn.Module, protocol: Protocol, *, n_clients: int,
        records_per_client: int, defence: LocalDefence | None = None, seed: int = 0,
    ) -> None:
        if n_clients < 1 or records_per_client < 1:
            raise ValueError(f"need n_clients >= 1 and records_per_client >= 1, got {n_clients}, {records_per_client}")
        needed = n_clients * records_per_client
        if needed > len(data.x):
            raise ValueError(f"{n_clients} clients × {records_per_client} records = {needed} exceeds the "
                             f"{len(data.x)} records of {data.name!r}; fix: lower clients.count or "
                             "clients.records_per_client")
        self.data, self.model, self.protocol = data, model, protocol
        order = np.random.default_rng(seed).permutation(len(data.x))
        self.partitions = [order[k * records_per_client:(k + 1) * records_per_client] for k in range(n_clients)]
        self.population = order[needed:]
        self.clients = [
            Client(k, data.x[torch.from_numpy(idx)], data.y[torch.from_numpy(idx)], defence=defence, seed=seed + 1 + k)
            for k, idx in enumerate(self.partitions)
        ]
        self.initial_params = model_params(model)

    def round(self, params: Params, clients: list[int] | None = None) -> list[ClientUpdate]:
        """Every (or each listed) client's update from the global weights ``params``."""
        chosen = range(len(self.clients)) if clients is None else clients
        return [self.clients[k].update(self.model, params, self.protocol) for k in chosen]

    def apply(self, params: Params, updates: list[ClientUpdate]) -> Params:
        """The server's aggregation step: the next global weights."""
        mean = weighted_mean(updates)
        if updates[0].kind == "gradient":
            return {n: params[n] - self.protocol.lr * mean[n] for n in params}
        return {n: params[n] + mean[n] for n in params}

    def run(self, rounds: int, observe: RoundObserver | None = None) -> list[Params]:
        """Train for ``rounds``; returns the global weights θ_0 … θ_rounds (what every client receives)."""
        history = [self.initial_params]
        for r in range(rounds):
            updates = self.round(history[-1])
            if observe is not None:
                observe(r, history[-1], updates)
            history.append(self.apply(history[-1], updates))
        return history

    def server_view(
        self, params: Params, updates: list[ClientUpdate], target: int, *, secure_aggregation: bool = False
    ) -> ServerView:
        """What the server sees of the target client this round (only the aggregate under secure aggregation).

        The attacker reconstructs as many records as the target client holds either way.
        """
        by_id = {u.client_id: u for u in updates}
        if target not in by_id:
            raise ValueError(f"client {target} sent no update this round")
        seen = secure_aggregate(updates) if secure_aggregation else by_id[target]
        return ServerView(
            model=self.model, params=params, update=seen, protocol=self.protocol, input_shape=self.data.input_shape,
            n_classes=self.data.n_classes, n_records=by_id[target].num_examples, bounds=self.data.bounds,
            schema=self.data.schema,
        )

    def private_records(self, client: int) -> tuple[np.ndarray, np.ndarray]:
        """The challenger's secret: the client's records and labels (for scoring only)."""
        return self.clients[client].x.numpy(), self.clients[client].y.numpy()
