"""Plug a server-side gradient-inversion attack into a real Flower (``flwr`` 1.41) federation.

Threat model: the Flower server is honest-but-curious. :class:`AttackingFedAvg` is Flower's own
:class:`flwr.serverapp.strategy.FedAvg`, unchanged in what it aggregates, that remembers the global weights
it sent (``configure_train``) and, in ``aggregate_train`` — the place where a Flower server receives the
clients' replies — turns each client's returned weights into an update ``Δθ = θ_client − θ_global`` and hands
it to the attack. With ``secure_aggregation=True`` the attack sees only the record-weighted mean of all
updates, as a server behind secure aggregation would. Reconstructions are collected in
``strategy.reconstructions`` (round, client node id or ``None`` for the aggregate, reconstruction).

:func:`make_client_app` builds a Flower ``ClientApp`` whose clients train with LeakPro's client code path
(:class:`~leakpro.federated.client.Client`), so a simulated run is attacked exactly as in-process. Your own
ClientApp works as well, as long as the server knows the protocol (local steps, batch size, lr).

Usage (see ``tests/federated/test_flower.py``)::

    strategy = AttackingFedAvg(model=model, attack=InvertingGradients(), protocol=protocol,
                               input_shape=(1, 28, 28), n_classes=10, bounds=(0.0, 1.0))
    server_app = make_server_app(strategy, model, num_rounds=1)
    run_simulation(server_app, make_client_app(...), num_supernodes=3, backend_config=...)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from flwr.app import ArrayRecord, ConfigRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg
from torch import nn

from leakpro.data.tabular import TabularSchema
from leakpro.federated.attacks.base import Reconstruction, ServerAttack, ServerView
from leakpro.federated.client import Client, ClientUpdate, Params, Protocol
from leakpro.federated.defences import secure_aggregate

os.environ.setdefault("FLWR_TELEMETRY_ENABLED", "0")


@dataclass(frozen=True)
class FlowerReconstruction:
    """One reconstruction made inside ``aggregate_train``; ``node_id`` is None for the aggregate."""

    server_round: int
    node_id: int | None
    num_examples: int
    reconstruction: Reconstruction


class AttackingFedAvg(FedAvg):
    """Flower FedAvg that lets a server-side attack read each client's update (or only the aggregate)."""

    def __init__(
        self, *, model: nn.Module, attack: ServerAttack, protocol: Protocol, input_shape: tuple[int, ...],
        n_classes: int, bounds: tuple[float, float] | None = None, schema: TabularSchema | None = None,
        secure_aggregation: bool = False, records_to_reconstruct: int | None = None,
        attack_rounds: Iterable[int] = (1,), **fedavg_kwargs: object,
    ) -> None:
        super().__init__(**fedavg_kwargs)  # type: ignore[arg-type]
        self.model, self.attack, self.protocol = model, attack, protocol
        self.input_shape, self.n_classes, self.bounds, self.schema = tuple(input_shape), n_classes, bounds, schema
        self.secure_aggregation = secure_aggregation
        self.records_to_reconstruct = records_to_reconstruct
        self.attack_rounds = set(attack_rounds)
        self.reconstructions: list[FlowerReconstruction] = []
        self._sent: Params | None = None

    def configure_train(
        self, server_round: int, arrays: ArrayRecord, config: ConfigRecord, grid: Grid
    ) -> Iterable[Message]:
        self._sent = _params_of(self.model, arrays)
        return super().configure_train(server_round, arrays, config, grid)

    def aggregate_train(
        self, server_round: int, replies: Iterable[Message]
    ) -> tuple[ArrayRecord | None, MetricRecord | None]:
        replies = list(replies)
        if server_round in self.attack_rounds and self._sent is not None:
            updates = [self._update_of(msg) for msg in replies if not msg.has_error()]
            if updates:
                self._attack(server_round, updates)
        return super().aggregate_train(server_round, replies)

    def _update_of(self, msg: Message) -> ClientUpdate:
        assert self._sent is not None
        local = _params_of(self.model, msg.content.array_records[self.arrayrecord_key])
        num = int(next(iter(msg.content.metric_records.values()))[self.weighted_by_key])  # type: ignore[arg-type]
        delta = {n: local[n] - self._sent[n] for n in self._sent}
        return ClientUpdate(int(msg.metadata.src_node_id), "delta", delta, num)

    def _view(self, update: ClientUpdate, n_records: int) -> ServerView:
        assert self._sent is not None
        return ServerView(model=self.model, params=self._sent, update=update, protocol=self.protocol,
                          input_shape=self.input_shape, n_classes=self.n_classes, n_records=n_records,
                          bounds=self.bounds, schema=self.schema)

    def _attack(self, server_round: int, updates: list[ClientUpdate]) -> None:
        if self.secure_aggregation:
            aggregate = secure_aggregate(updates)
            n = self.records_to_reconstruct or max(1, aggregate.num_examples // len(updates))
            found = self.attack.run(self._view(aggregate, n))
            self.reconstructions.append(FlowerReconstruction(server_round, None, aggregate.num_examples, found))
            return
        for update in updates:
            found = self.attack.run(self._view(update, self.records_to_reconstruct or update.num_examples))
            self.reconstructions.append(
                FlowerReconstruction(server_round, update.client_id, update.num_examples, found))


def _params_of(model: nn.Module, arrays: ArrayRecord) -> Params:
    state = arrays.to_torch_state_dict()
    return {name: state[name].detach().clone().float() for name, _ in model.named_parameters()}


def make_server_app(
    strategy: FedAvg, model: nn.Module, *, num_rounds: int = 1, on_done: Callable[[object], None] | None = None
) -> ServerApp:
    """A ServerApp that starts ``strategy`` from ``model``'s weights for ``num_rounds`` rounds."""
    app = ServerApp()
    initial = ArrayRecord(torch_state_dict={k: v.detach().clone() for k, v in model.state_dict().items()})

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        result = strategy.start(grid=grid, initial_arrays=initial, num_rounds=num_rounds)
        if on_done is not None:
            on_done(result)

    return app


def make_client_app(
    model_factory: Callable[[], nn.Module], partitions: list[tuple[torch.Tensor, torch.Tensor]], protocol: Protocol,
) -> ClientApp:
    """A ClientApp whose node with ``partition-id`` k trains on ``partitions[k]`` with LeakPro's client code path."""
    app = ClientApp()

    @app.train()
    def train(msg: Message, context: Context) -> Message:
        k = int(context.node_config["partition-id"])
        model = model_factory()
        state = msg.content.array_records["arrays"].to_torch_state_dict()
        params = {name: state[name].float() for name, _ in model.named_parameters()}
        x, y = partitions[k]
        update = Client(k, x, y).update(model, params, protocol)
        if update.kind == "gradient":  # Flower clients return weights: apply the one FedSGD step locally
            local = {n: params[n] - protocol.lr * update.tensors[n] for n in params}
        else:
            local = {n: params[n] + update.tensors[n] for n in params}
        content = RecordDict({"arrays": ArrayRecord(torch_state_dict=local),
                              "metrics": MetricRecord({"num-examples": len(x)})})
        return Message(content=content, reply_to=msg)

    return app
