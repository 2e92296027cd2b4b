"""What a curious server sees, what a server-side attack returns, and the attack registry.

Threat model (honest-but-curious server): the server knows the architecture, the global weights it sent,
the protocol (FedSGD or FedAvg with its local steps, local batch size and learning rate), the input shape
and value range, and receives one client's update and its record count — or, under secure aggregation,
only the aggregate of all clients. It never sees the private records; the challenger scores what it returns.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict
from torch import nn

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.data.tabular import TabularSchema
from leakpro.federated.client import ClientUpdate, Params, Protocol
from leakpro.registry import Registry


@dataclass(frozen=True)
class ServerView:
    """The server's knowledge when it attacks one update; ``n_records`` is how many records it reconstructs."""

    model: nn.Module
    params: Params
    update: ClientUpdate
    protocol: Protocol
    input_shape: tuple[int, ...]
    n_classes: int
    n_records: int
    bounds: tuple[float, float] | None = None
    schema: TabularSchema | None = None

    @property
    def replay_protocol(self) -> Protocol:
        """The protocol to replay on dummy data so that it yields the same kind of update as observed.

        A FedSGD client that returns its new weights (as Flower clients do) sent a one-step difference.
        """
        if self.update.kind == "delta" and self.protocol.algorithm == "fedsgd":
            return Protocol(algorithm="fedavg", local_steps=1, local_batch_size=None, lr=self.protocol.lr)
        if self.update.kind == "gradient" and self.protocol.algorithm == "fedavg":
            raise ValueError("a FedAvg protocol sends weight differences, but the update is a gradient")
        return self.protocol

    def observed_gradient_signal(self) -> Params:
        """The update as a gradient direction: the FedSGD gradient, or −Δθ for FedAvg (SGD moves against it)."""
        if self.update.kind == "gradient":
            return self.update.tensors
        return {n: -t for n, t in self.update.tensors.items()}


@dataclass(frozen=True)
class Reconstruction:
    """An attack's answer: reconstructed records (N×shape), their labels, and the attack's own loss."""

    x: np.ndarray
    labels: np.ndarray
    matching_loss: float
    losses: tuple[float, ...] = ()  # the matching loss along the optimisation (for convergence checks)


class AttackParams(BaseModel):
    """Base for attack settings: frozen, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerAttack:
    """One abstract layer: a small object storing settings; ``run(view)`` returns a :class:`Reconstruction`."""

    name: ClassVar[str]
    paper: ClassVar[str]
    Params: ClassVar[type[AttackParams]] = AttackParams

    def __init__(self, *, random_state: int = 0, **params: Any) -> None:
        self.params = self.Params(**params)
        self.random_state = random_state

    def run(self, view: ServerView) -> Reconstruction:
        raise NotImplementedError


_REGISTRY: Registry[type[ServerAttack]] = Registry("server attack")
SERVER_THREAT_MODEL = "curious server: the global model and one client update"


def register_server_attack(cls: type[ServerAttack]) -> type[ServerAttack]:
    """Register a server attack by its ``name``, and its card in the catalogue of every attack."""
    _REGISTRY.add(cls.name, cls)
    title = (cls.__doc__ or cls.name).strip().splitlines()[0].rstrip(".")
    register_card(AttackCard(family="gradient inversion", name=cls.name, title=title, paper=cls.paper,
                             threat_model=SERVER_THREAT_MODEL, params=cls.Params))
    return cls


def registered_server_attacks() -> dict[str, type[ServerAttack]]:
    import leakpro.federated.attacks  # noqa: F401  (modules register on import)

    return _REGISTRY.items()


def get_server_attack(name: str) -> type[ServerAttack]:
    attacks = registered_server_attacks()
    if name not in attacks:
        close = difflib.get_close_matches(name, attacks, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise KeyError(f"unknown federated attack {name!r}{hint}; known: {', '.join(attacks)}")
    return attacks[name]


def initial_dummy(view: ServerView, generator: torch.Generator) -> torch.Tensor:
    """A random starting point inside the box (uniform), or standard normal without bounds."""
    shape = (view.n_records, *view.input_shape)
    if view.bounds is None:
        return torch.randn(shape, generator=generator)
    lo, hi = view.bounds
    return lo + (hi - lo) * torch.rand(shape, generator=generator)


def flat_cosine_distance(a: Params, b: Params) -> torch.Tensor:
    """1 − cosine similarity of two updates, over all their coordinates together (Geiping et al. 2020, eq. 4)."""
    dot = sum((a[n] * b[n]).sum() for n in b)
    na = torch.sqrt(sum((a[n] ** 2).sum() for n in b))  # type: ignore[arg-type]
    nb = torch.sqrt(sum((b[n] ** 2).sum() for n in b))  # type: ignore[arg-type]
    return 1.0 - dot / (na * nb + 1e-12)


def squared_distance(a: Params, b: Params) -> torch.Tensor:
    """‖a − b‖² over all coordinates (DLG's matching loss, Zhu et al. 2019)."""
    return sum(((a[n] - b[n]) ** 2).sum() for n in b)  # type: ignore[return-value]
