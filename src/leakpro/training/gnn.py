"""A small graph convolutional network for padded molecular graphs, registered as ``gnn``.

Input rows are the padded arrays of :mod:`leakpro.data.graphs` (node features, then the flattened adjacency).
Two dense GCN layers (Kipf & Welling 2017, eq. 2: ``Â = D̃^-1/2 (A + I) D̃^-1/2``, then ``Â X W + b``, with a node
mask), a masked global mean pool over the real atoms, one hidden fully connected layer.

The layers are written here rather than taken from torch_geometric (importing it costs seconds): each one is
torch_geometric's ``DenseGCNConv`` operation for operation (glorot-initialised weight without bias, then a zero
bias; the same products in the same order), so a model built and trained from the same seed has the same bits
(checked against torch_geometric 2.6 when the layers were written). ``Â`` depends on the adjacency only, so it
is computed once per forward pass and shared by both layers.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from leakpro.training.models import register_model


def normalised_adjacency(adjacency: torch.Tensor) -> torch.Tensor:
    """``D̃^-1/2 (A + I) D̃^-1/2`` for a (B, N, N) batch of adjacencies (degrees below 1 clamped to 1)."""
    adj = adjacency.clone()
    idx = torch.arange(adj.shape[-1], dtype=torch.long, device=adj.device)
    adj[:, idx, idx] = 1
    deg_inv_sqrt = adj.sum(dim=-1).clamp(min=1).pow(-0.5)
    return deg_inv_sqrt.unsqueeze(-1) * adj * deg_inv_sqrt.unsqueeze(-2)


class _Linear(nn.Module):
    """A bias-free glorot-initialised weight (its own module, so state-dict keys read ``conv1.lin.weight``)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = math.sqrt(6.0 / (self.weight.size(-2) + self.weight.size(-1)))
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)


class DenseGCN(nn.Module):
    """One GCN layer on dense adjacencies: ``mask · (Â (X Wᵀ) + b)``."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.lin = _Linear(in_channels, out_channels)  # glorot once here, once more below (as torch_geometric)
        self.bias = nn.Parameter(torch.empty(out_channels))
        self.lin.reset_parameters()
        with torch.no_grad():
            self.bias.zero_()

    def forward(self, x: torch.Tensor, a_hat: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = torch.matmul(a_hat, nn.functional.linear(x, self.lin.weight)) + self.bias
        return out * mask.view(x.shape[0], x.shape[1], 1).to(x.dtype)


@register_model("gnn")
class GNN(nn.Module):
    """DenseGCN(hidden) → ReLU → DenseGCN(hidden) → ReLU → masked mean pool → fc → fc(n_classes)."""

    def __init__(self, in_features: int, n_classes: int, max_atoms: int = 40, hidden: int = 64) -> None:
        super().__init__()
        node_part = in_features - max_atoms * max_atoms
        if node_part <= 0 or node_part % max_atoms:
            raise ValueError(f"gnn: {in_features} features are not {max_atoms} padded atoms plus an adjacency")
        self.max_atoms, self.node_features = max_atoms, node_part // max_atoms
        self.conv1 = DenseGCN(self.node_features, hidden)
        self.conv2 = DenseGCN(hidden, hidden)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0], -1)
        split = self.max_atoms * self.node_features
        nodes = x[:, :split].reshape(-1, self.max_atoms, self.node_features)
        a_hat = normalised_adjacency(x[:, split:].reshape(-1, self.max_atoms, self.max_atoms))
        mask = nodes.abs().sum(dim=2) > 0
        h = torch.relu(self.conv1(nodes, a_hat, mask))
        h = torch.relu(self.conv2(h, a_hat, mask))
        weights = mask.to(h.dtype).unsqueeze(2)
        pooled = (h * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return self.head(pooled)
