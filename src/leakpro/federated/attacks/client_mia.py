"""A curious client's membership inference against the other clients' data.

Threat model: an honest-but-curious *participant*. It receives the global model of every round
θ_0, θ_1, …, θ_T (and nothing else: no other client's update), and holds candidate records. It asks, for
each candidate, whether another client trained on it. Variant: the loss trajectory across the received
models (after Nasr, Shokri and Houmansadr, S&P 2019, who use the same passive participant view; here with
the loss signal only). Scores, higher = more likely member:

* ``loss_drop`` (default): ``loss(θ_0) − mean_{t > T − k} loss(θ_t)``, how much the federation learned the
  record, which calibrates for records that are easy from the start;
* ``final_loss``: ``−loss(θ_T)`` (Yeom et al. 2018 on the last model).

The challenger scores the result with an AUC and its DeLong interval; the attack never sees membership.

>>> # ClientMembershipInference(signal="loss_drop").scores(model, history, x, y)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import Field
from torch import nn
from torch.func import functional_call

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.federated.attacks.base import AttackParams
from leakpro.federated.client import Params


class ClientMiaParams(AttackParams):
    signal: Literal["loss_drop", "final_loss"] = "loss_drop"
    last_models: int = Field(3, ge=1, description="k: how many of the latest global models to average")


def per_record_losses(model: nn.Module, params: Params, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Cross-entropy of every record under the weights ``params``."""
    with torch.no_grad():
        logits = functional_call(model, {n: p.detach() for n, p in params.items()}, (x,))
        return F.cross_entropy(logits, y, reduction="none").numpy().astype(np.float64)


class ClientMembershipInference:
    """Membership scores for candidate records from the sequence of global models a client receives."""

    name = "client_mia"
    paper = "Nasr, Shokri, Houmansadr. Comprehensive Privacy Analysis of Deep Learning. IEEE S&P 2019"

    def __init__(self, *, random_state: int = 0, **params: object) -> None:
        self.params = ClientMiaParams(**params)  # type: ignore[arg-type]
        self.random_state = random_state

    def scores(self, model: nn.Module, history: Sequence[Params], x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
        """One score per candidate (higher = more likely in another client's data)."""
        if len(history) < 2:
            raise ValueError("client membership inference needs at least two global models (one round)")
        k = min(self.params.last_models, len(history) - 1)
        late = np.mean([per_record_losses(model, p, x, y) for p in history[-k:]], axis=0)
        if self.params.signal == "final_loss":
            return -per_record_losses(model, history[-1], x, y)
        return per_record_losses(model, history[0], x, y) - late


register_card(AttackCard(
    family="federated membership", name=ClientMembershipInference.name,
    title="Curious client: membership from the global models it receives", paper=ClientMembershipInference.paper,
    threat_model="curious client: the sequence of global models", params=ClientMiaParams,
))
