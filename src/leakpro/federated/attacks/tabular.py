"""Tabular gradient inversion with a softmax relaxation of categorical columns.

Threat model: honest-but-curious server holding one client's update (see :class:`ServerView`) of a model
trained on encoded tabular rows (numeric columns standardised, categorical columns one-hot; the
:class:`~leakpro.data.federated.TabularSchema` is public knowledge, like the architecture).
Variant (after Vero et al., "TabLeak", ICML 2023, without their pooling ensemble): each record is
parametrised by free numeric values and one logit vector per categorical column; the encoded row is
``[numeric, softmax(logits_1 / τ), …]``, so the search stays on the simplex of each one-hot block. Labels
come from the last layer (:mod:`.idlg`); the objective is 1 − cosine between the replayed update and the
observed one, minimised with Adam over ``restarts`` (lowest objective wins). Categorical columns are
decoded by argmax, numeric ones read directly; :func:`decode_rows` turns encoded rows into column values.

>>> # TabularInversion(iterations=500, random_state=0).run(view)
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import Field

from leakpro.data.tabular import TabularSchema
from leakpro.federated.attacks.base import (
    AttackParams,
    Reconstruction,
    ServerAttack,
    ServerView,
    flat_cosine_distance,
    register_server_attack,
)
from leakpro.federated.attacks.idlg import recover_labels
from leakpro.federated.client import compute_update


class TabularParams(AttackParams):
    iterations: int = Field(500, ge=1, description="Adam steps per restart")
    lr: float = Field(0.05, gt=0, description="Adam learning rate")
    temperature: float = Field(1.0, gt=0, description="softmax temperature τ of the categorical relaxation")
    restarts: int = Field(1, ge=1, description="random starts; the lowest matching objective wins")


def assemble(numeric: torch.Tensor, logits: torch.Tensor, schema: TabularSchema, temperature: float) -> torch.Tensor:
    """Encoded rows from free numeric values and per-column logits (softmax per one-hot block)."""
    parts = [numeric]
    offset = len(schema.numeric)
    for column in schema.categorical:
        block = logits[:, column.start - offset: column.stop - offset]
        parts.append(torch.softmax(block / temperature, dim=1))
    return torch.cat(parts, dim=1)


def decode_rows(x: np.ndarray, schema: TabularSchema) -> dict[str, np.ndarray]:
    """Column values of encoded rows: numeric columns as floats (standardised), categorical by argmax."""
    rows = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    out: dict[str, np.ndarray] = {name: rows[:, i] for i, name in enumerate(schema.numeric)}
    for column in schema.categorical:
        levels = np.asarray(column.levels, dtype=object)
        out[column.name] = levels[rows[:, column.start:column.stop].argmax(axis=1)]
    return out


def one_hot_decoded(x: torch.Tensor, schema: TabularSchema) -> torch.Tensor:
    """Replace every categorical block by the one-hot of its argmax."""
    out = x.clone()
    for column in schema.categorical:
        block = x[:, column.start:column.stop]
        out[:, column.start:column.stop] = torch.nn.functional.one_hot(
            block.argmax(dim=1), column.stop - column.start).to(x.dtype)
    return out


def _invert_once(
    view: ServerView, schema: TabularSchema, labels: torch.Tensor, p: TabularParams, generator: torch.Generator
) -> tuple[torch.Tensor, list[float]]:
    n_num = len(schema.numeric)
    numeric = torch.randn(view.n_records, n_num, generator=generator).requires_grad_(True)
    logits = (0.1 * torch.randn(view.n_records, schema.n_features - n_num, generator=generator)).requires_grad_(True)
    optimiser = torch.optim.Adam([numeric, logits], lr=p.lr)
    params = {n: t.detach() for n, t in view.params.items()}
    target = {n: t.detach() for n, t in view.update.tensors.items()}
    history: list[float] = []
    for _ in range(p.iterations):
        optimiser.zero_grad()
        x = assemble(numeric, logits, schema, p.temperature)
        _, predicted = compute_update(view.model, params, x, labels, view.replay_protocol, create_graph=True)
        loss = flat_cosine_distance(predicted, target)
        loss.backward()
        optimiser.step()
        history.append(float(loss.detach()))
    with torch.no_grad():
        x = one_hot_decoded(assemble(numeric, logits, schema, p.temperature), schema)
    _, final = compute_update(view.model, params, x, labels, view.replay_protocol, create_graph=True)
    history.append(float(flat_cosine_distance(final, target).detach()))
    return x, history


@register_server_attack
class TabularInversion(ServerAttack):
    """Inversion of tabular rows; categorical columns relaxed by softmax, decoded by argmax."""

    name = "tabular_inversion"
    paper = "Vero, Balunović, Dimitrov, Vechev. TabLeak: Tabular Data Leakage in Federated Learning. ICML 2023"
    Params = TabularParams

    def run(self, view: ServerView) -> Reconstruction:
        assert isinstance(self.params, TabularParams)
        if view.schema is None:
            raise ValueError("tabular_inversion needs tabular data with a schema (data.name: adult); "
                             "for images use inverting_gradients")
        labels = recover_labels(view)
        generator = torch.Generator().manual_seed(self.random_state)
        best: Reconstruction | None = None
        for _ in range(self.params.restarts):
            x, history = _invert_once(view, view.schema, labels, self.params, generator)
            if best is None or history[-1] < best.matching_loss:
                best = Reconstruction(x.numpy(), labels.numpy(), history[-1], tuple(history))
        assert best is not None  # restarts >= 1
        return best
