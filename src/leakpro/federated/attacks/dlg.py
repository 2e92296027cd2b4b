"""Deep Leakage from Gradients (Zhu, Liu and Han, NeurIPS 2019).

Threat model: honest-but-curious server holding one client's update (see :class:`ServerView`).
Variant: dummy records x̂ and dummy soft labels ŷ = softmax(ℓ̂) are optimised jointly with L-BFGS to
minimise ‖update(x̂, ŷ) − update‖², where ``update`` is the client's own code path
(:func:`leakpro.federated.client.compute_update`): the gradient for FedSGD, the replayed local steps for
FedAvg. Works best on twice-differentiable models (sigmoid activations), as in the paper.
Reconstructions are chosen by the matching loss only (over ``restarts``), never by the private data.

>>> # DLG(iterations=100, restarts=2, random_state=0).run(view)
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import Field

from leakpro.federated.attacks.base import (
    AttackParams,
    Reconstruction,
    ServerAttack,
    ServerView,
    initial_dummy,
    register_server_attack,
    squared_distance,
)
from leakpro.federated.client import compute_update


class DLGParams(AttackParams):
    iterations: int = Field(100, ge=1, description="L-BFGS outer iterations")
    restarts: int = Field(1, ge=1, description="random starts; the lowest matching loss wins")
    lr: float = Field(1.0, gt=0, description="L-BFGS step size")


def lbfgs_match(
    view: ServerView, labels: torch.Tensor | None, *, iterations: int, lr: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, list[float]]:
    """Minimise ‖update(x̂, ŷ) − update‖² with L-BFGS; ``labels=None`` also optimises soft labels.

    Returns (x̂, labels as class indices, loss history).
    """
    target = {n: t.detach() for n, t in view.update.tensors.items()}
    x = initial_dummy(view, generator).requires_grad_(True)
    label_logits = torch.randn(view.n_records, view.n_classes, generator=generator).requires_grad_(True)
    variables = [x] if labels is not None else [x, label_logits]
    optimiser = torch.optim.LBFGS(variables, lr=lr, max_iter=20, history_size=100, line_search_fn="strong_wolfe")
    params = {n: p.detach() for n, p in view.params.items()}

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        y = labels if labels is not None else torch.softmax(label_logits, dim=1)
        _, predicted = compute_update(view.model, params, x, y, view.replay_protocol, create_graph=True)
        loss = squared_distance(predicted, target)
        loss.backward()
        return loss

    history: list[float] = []
    for _ in range(iterations):
        loss = float(optimiser.step(closure).detach())
        if not np.isfinite(loss):
            break
        history.append(loss)
        if loss < 1e-12:
            break
    final = float(closure().detach())
    history.append(final)
    found = labels if labels is not None else label_logits.detach().argmax(dim=1)
    return x.detach(), found, history


def best_of_restarts(
    view: ServerView, labels: torch.Tensor | None, params: DLGParams, seed: int
) -> Reconstruction:
    """Run ``params.restarts`` L-BFGS searches; keep the one with the lowest matching loss."""
    generator = torch.Generator().manual_seed(seed)
    best: Reconstruction | None = None
    for _ in range(params.restarts):
        x, found, history = lbfgs_match(view, labels, iterations=params.iterations, lr=params.lr, generator=generator)
        if view.bounds is not None:
            x = x.clamp(*view.bounds)
        loss = history[-1] if np.isfinite(history[-1]) else float("inf")
        if best is None or loss < best.matching_loss:
            best = Reconstruction(x.numpy(), found.numpy(), loss, tuple(history))
    assert best is not None  # restarts >= 1
    return best


@register_server_attack
class DLG(ServerAttack):
    """DLG: joint L-BFGS search over dummy records and soft labels."""

    name = "dlg"
    paper = "Zhu, Liu, Han. Deep Leakage from Gradients. NeurIPS 2019"
    Params = DLGParams

    def run(self, view: ServerView) -> Reconstruction:
        assert isinstance(self.params, DLGParams)
        return best_of_restarts(view, None, self.params, self.random_state)
