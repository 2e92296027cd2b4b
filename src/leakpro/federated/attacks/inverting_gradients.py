"""Inverting Gradients (Geiping, Bauermeister, Dröge and Moeller, NeurIPS 2020).

Threat model: honest-but-curious server holding one client's update (see :class:`ServerView`).
Variant: labels are first recovered from the last layer (:mod:`.idlg`); dummy records x̂ then minimise

    1 − cos(update(x̂, y), update) + α · TV(x̂)

with Adam on the *signed* gradient of that objective, a step-wise learning-rate decay at 3/8, 5/8 and
7/8 of the iterations, and projection onto the box (pixel range) after every step. ``update`` is the
client's own code path (:func:`leakpro.federated.client.compute_update`): for FedSGD the gradient; for
FedAvg the local SGD steps are replayed on x̂ with the known local batch size and learning rate, and the
weight difference is matched (the paper's multi-step variant). Several random restarts are run and the
one with the lowest matching objective is kept — never the one closest to the private data.

>>> # InvertingGradients(iterations=300, tv=1e-4, restarts=2, random_state=0).run(view)
"""

from __future__ import annotations

import torch
from pydantic import Field

from leakpro.federated.attacks.base import (
    AttackParams,
    Reconstruction,
    ServerAttack,
    ServerView,
    flat_cosine_distance,
    initial_dummy,
    register_server_attack,
)
from leakpro.federated.attacks.idlg import recover_labels
from leakpro.federated.client import compute_update


class IGParams(AttackParams):
    iterations: int = Field(300, ge=1, description="Adam steps per restart")
    lr: float = Field(0.1, gt=0, description="Adam learning rate (on the signed gradient)")
    tv: float = Field(1e-4, ge=0, description="weight α of the total-variation prior (images only)")
    restarts: int = Field(1, ge=1, description="random starts; the lowest matching objective wins")
    signed: bool = Field(True, description="Adam on sign(∇) as in the paper")
    boxed: bool = Field(True, description="project onto the data's value range after every step")


def total_variation(x: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between neighbouring pixels (0 for non-image records)."""
    if x.dim() != 4:
        return x.new_zeros(())
    return (x[..., 1:, :] - x[..., :-1, :]).abs().mean() + (x[..., :, 1:] - x[..., :, :-1]).abs().mean()


def matching_objective(view: ServerView, x: torch.Tensor, labels: torch.Tensor, tv: float) -> torch.Tensor:
    """1 − cosine(update(x̂), observed update) + tv · TV(x̂)."""
    params = {n: p.detach() for n, p in view.params.items()}
    _, predicted = compute_update(view.model, params, x, labels, view.replay_protocol, create_graph=True)
    target = {n: t.detach() for n, t in view.update.tensors.items()}
    return flat_cosine_distance(predicted, target) + tv * total_variation(x)


def invert_once(
    view: ServerView, labels: torch.Tensor, params: IGParams, generator: torch.Generator
) -> tuple[torch.Tensor, list[float]]:
    """One restart: Adam (signed) with step decay and box projection; returns (x̂, objective history)."""
    x = initial_dummy(view, generator).requires_grad_(True)
    optimiser = torch.optim.Adam([x], lr=params.lr)
    milestones = [int(params.iterations * f) for f in (3 / 8, 5 / 8, 7 / 8)]
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimiser, milestones=milestones, gamma=0.1)
    history: list[float] = []
    for _ in range(params.iterations):
        optimiser.zero_grad()
        loss = matching_objective(view, x, labels, params.tv)
        loss.backward()
        if params.signed and x.grad is not None:
            x.grad.sign_()
        optimiser.step()
        scheduler.step()
        if params.boxed and view.bounds is not None:
            with torch.no_grad():
                x.clamp_(*view.bounds)
        history.append(float(loss.detach()))
    final = float(matching_objective(view, x, labels, params.tv).detach())
    history.append(final)
    return x.detach(), history


@register_server_attack
class InvertingGradients(ServerAttack):
    """Inverting Gradients: cosine matching + TV prior, signed Adam, box constraints, restarts."""

    name = "inverting_gradients"
    paper = "Geiping, Bauermeister, Dröge, Moeller. Inverting Gradients. NeurIPS 2020"
    Params = IGParams

    def run(self, view: ServerView) -> Reconstruction:
        assert isinstance(self.params, IGParams)
        labels = recover_labels(view)
        generator = torch.Generator().manual_seed(self.random_state)
        best: Reconstruction | None = None
        for _ in range(self.params.restarts):
            x, history = invert_once(view, labels, self.params, generator)
            if best is None or history[-1] < best.matching_loss:
                best = Reconstruction(x.numpy(), labels.numpy(), history[-1], tuple(history))
        assert best is not None  # restarts >= 1
        return best
