"""What a federated client computes and sends: the one code path for real clients and for attack replays.

A client holds private records. Given the global weights it returns an update:

* **FedSGD** (McMahan et al. 2017, ``algorithm="fedsgd"``): the gradient of the mean cross-entropy over
  all its records (the batch is the client's data);
* **FedAvg** (``algorithm="fedavg"``): ``local_steps`` steps of SGD with learning rate ``lr`` on mini-batches
  of ``local_batch_size`` records taken in order, cycling through the data; it sends the weight
  difference ``θ_local − θ_global``.

:func:`local_train` is written functionally (weights as a dict of tensors, :func:`torch.func.functional_call`)
so that the FedAvg inversion of Geiping et al. 2020 replays exactly these steps on dummy data with
``create_graph=True``. Local defences (clipping and noise, pruning) are applied here, by the client, before
the update leaves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from leakpro.federated.defences import LocalDefence, apply_local_defence

Params = dict[str, torch.Tensor]
Algorithm = Literal["fedsgd", "fedavg"]


@dataclass(frozen=True)
class Protocol:
    """How clients train: FedSGD (one gradient) or FedAvg (local SGD steps), and the learning rate."""

    algorithm: Algorithm = "fedsgd"
    local_steps: int = 1
    local_batch_size: int | None = None  # None: the client's whole data per step
    lr: float = 0.1

    def __post_init__(self) -> None:
        if self.algorithm not in ("fedsgd", "fedavg"):
            raise ValueError(f"protocol.algorithm: {self.algorithm!r}; fix: use 'fedsgd' or 'fedavg'")
        if self.local_steps < 1:
            raise ValueError(f"protocol.local_steps must be at least 1, got {self.local_steps}")
        if self.local_batch_size is not None and self.local_batch_size < 1:
            raise ValueError(f"protocol.local_batch_size must be at least 1, got {self.local_batch_size}")
        if self.lr <= 0:
            raise ValueError(f"protocol.lr must be positive, got {self.lr}")


@dataclass(frozen=True)
class ClientUpdate:
    """What leaves a client: a gradient (FedSGD) or a weight difference (FedAvg), and its record count."""

    client_id: int
    kind: Literal["gradient", "delta"]
    tensors: Params
    num_examples: int


def model_params(model: nn.Module) -> Params:
    """A detached copy of the model's trainable weights."""
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def batch_loss(model: nn.Module, params: Params, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``model`` with weights ``params``; ``y`` holds class indices or probabilities."""
    return F.cross_entropy(functional_call(model, params, (x,)), y)


def gradient(
    model: nn.Module, params: Params, x: torch.Tensor, y: torch.Tensor, *, create_graph: bool = False
) -> Params:
    """∇θ of the mean loss over the batch (kept differentiable in ``x`` when ``create_graph``)."""
    names = list(params)
    if create_graph:
        params = {n: p if p.requires_grad else p.detach().requires_grad_(True) for n, p in params.items()}
    else:
        params = {n: p.detach().requires_grad_(True) for n, p in params.items()}
    loss = batch_loss(model, params, x, y)
    grads = torch.autograd.grad(loss, [params[n] for n in names], create_graph=create_graph)
    return dict(zip(names, grads, strict=True))


def batch_schedule(n_records: int, steps: int, batch_size: int | None) -> list[torch.Tensor]:
    """Record indices of each local step: consecutive mini-batches, cycling through the data in order."""
    size = n_records if batch_size is None else min(batch_size, n_records)
    order = torch.arange(n_records)
    return [order[(s * size + torch.arange(size)) % n_records] for s in range(steps)]


def local_train(
    model: nn.Module, params: Params, x: torch.Tensor, y: torch.Tensor, protocol: Protocol,
    *, create_graph: bool = False,
) -> Params:
    """FedAvg's local SGD steps from ``params``; returns the local weights (differentiable if asked)."""
    current = params if create_graph else {n: p.detach() for n, p in params.items()}
    for idx in batch_schedule(len(x), protocol.local_steps, protocol.local_batch_size):
        grads = gradient(model, current, x[idx], y[idx], create_graph=create_graph)
        current = {n: current[n] - protocol.lr * grads[n] for n in current}
        if not create_graph:
            current = {n: p.detach() for n, p in current.items()}
    return current


def compute_update(
    model: nn.Module, params: Params, x: torch.Tensor, y: torch.Tensor, protocol: Protocol,
    *, create_graph: bool = False,
) -> tuple[Literal["gradient", "delta"], Params]:
    """The raw (undefended) update of a client holding ``(x, y)``: FedSGD gradient or FedAvg difference."""
    if protocol.algorithm == "fedsgd":
        return "gradient", gradient(model, params, x, y, create_graph=create_graph)
    local = local_train(model, params, x, y, protocol, create_graph=create_graph)
    return "delta", {n: local[n] - params[n] for n in params}


class Client:
    """An honest client: holds ``(x, y)`` privately and answers :meth:`update` with what it sends.

    >>> from leakpro.federated.models import build_federated_model
    >>> model = build_federated_model("mlp", {"hidden": [8]}, input_shape=(1, 8, 8), n_classes=10, seed=0)
    >>> client = Client(0, torch.rand(4, 1, 8, 8), torch.tensor([0, 1, 2, 3]))
    >>> client.update(model, model_params(model), Protocol()).num_examples
    4
    """

    def __init__(
        self, client_id: int, x: torch.Tensor, y: torch.Tensor, *,
        defence: LocalDefence | None = None, seed: int = 0,
    ) -> None:
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"client {client_id}: needs the same positive number of records and labels, "
                             f"got {len(x)} and {len(y)}")
        self.client_id = client_id
        self.x, self.y = x, y
        self.defence = defence
        self._generator = torch.Generator().manual_seed(seed)

    def update(self, model: nn.Module, global_params: Params, protocol: Protocol) -> ClientUpdate:
        kind, tensors = compute_update(model, global_params, self.x, self.y, protocol)
        if self.defence is not None:
            tensors = apply_local_defence(tensors, self.defence, self._generator)
        return ClientUpdate(self.client_id, kind, tensors, len(self.x))
