"""Defences re-tested in the same run, and where each one acts.

* **Clipping and Gaussian noise (local DP, the Gaussian mechanism on the update)** — the client scales its
  whole update to L2 norm at most ``clip`` and adds N(0, (noise_multiplier·clip)²) to every coordinate.
* **Pruning / compression** (Zhu et al. 2019 §5) — the client keeps only the largest ``1 − prune_fraction``
  of the update's coordinates by magnitude and zeroes the rest.
* **Secure aggregation** (Bonawitz et al. 2017) — the server sees only the sum of all clients' updates,
  never one client's; see :func:`secure_aggregate`. Larger batches and more local steps are protocol
  settings, swept by the runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from leakpro.federated.client import ClientUpdate, Params


@dataclass(frozen=True)
class LocalDefence:
    """What a client does to its update before sending it (``None`` / 0 turns a part off)."""

    clip: float | None = None
    noise_multiplier: float = 0.0
    prune_fraction: float = 0.0

    def __post_init__(self) -> None:
        if self.clip is not None and self.clip <= 0:
            raise ValueError(f"defence.clip must be positive, got {self.clip}")
        if self.noise_multiplier < 0:
            raise ValueError(f"defence.noise_multiplier must be >= 0, got {self.noise_multiplier}")
        if self.noise_multiplier > 0 and self.clip is None:
            raise ValueError("defence.noise_multiplier needs defence.clip (noise is scaled to the clipping norm)")
        if not 0.0 <= self.prune_fraction < 1.0:
            raise ValueError(f"defence.prune_fraction must be in [0, 1), got {self.prune_fraction}")


def clip_update(tensors: Params, clip: float) -> Params:
    """Scale the update so its global L2 norm is at most ``clip``."""
    norm = torch.sqrt(sum((t.double() ** 2).sum() for t in tensors.values()))  # type: ignore[arg-type]
    factor = min(1.0, clip / (float(norm) + 1e-12))
    return {n: t * factor for n, t in tensors.items()}


def add_noise(tensors: Params, std: float, generator: torch.Generator) -> Params:
    return {n: t + std * torch.randn(t.shape, generator=generator, dtype=t.dtype) for n, t in tensors.items()}


def prune_update(tensors: Params, fraction: float) -> Params:
    """Zero the ``fraction`` of coordinates with the smallest magnitude (over the whole update)."""
    if fraction <= 0:
        return dict(tensors)
    flat = torch.cat([t.abs().flatten() for t in tensors.values()])
    k = int(fraction * flat.numel())
    if k == 0:
        return dict(tensors)
    threshold = torch.kthvalue(flat, k).values
    return {n: torch.where(t.abs() > threshold, t, torch.zeros_like(t)) for n, t in tensors.items()}


def apply_local_defence(tensors: Params, defence: LocalDefence, generator: torch.Generator) -> Params:
    """Prune, then clip, then add noise — in the order a client would."""
    out = prune_update(tensors, defence.prune_fraction)
    if defence.clip is not None:
        out = clip_update(out, defence.clip)
        if defence.noise_multiplier > 0:
            out = add_noise(out, defence.noise_multiplier * defence.clip, generator)
    return out


def weighted_mean(updates: Sequence[ClientUpdate]) -> Params:
    """FedAvg aggregation: the record-weighted mean of the clients' updates."""
    if not updates:
        raise ValueError("no client updates to aggregate")
    total = sum(u.num_examples for u in updates)
    names = list(updates[0].tensors)
    return {n: sum(u.tensors[n] * (u.num_examples / total) for u in updates) for n in names}  # type: ignore[misc]


def secure_aggregate(updates: Sequence[ClientUpdate]) -> ClientUpdate:
    """What the server sees under secure aggregation: one aggregate (weighted mean) update, no single client."""
    from leakpro.federated.client import ClientUpdate

    kinds = {u.kind for u in updates}
    if len(kinds) != 1:
        raise ValueError(f"cannot aggregate updates of different kinds: {sorted(kinds)}")
    return ClientUpdate(-1, updates[0].kind, weighted_mean(updates), sum(u.num_examples for u in updates))
