"""A small graph convolutional network for padded molecular graphs, registered as ``gnn``.

Input rows are the padded arrays of :mod:`leakpro.data.graphs` (node features, then the flattened adjacency).
Two of torch_geometric's ``DenseGCNConv`` layers (Kipf & Welling GCN on a dense adjacency with a node mask),
a masked global mean pool over the real atoms, one hidden fully connected layer. torch_geometric (optional
extra ``graphs``) is imported when the model is built.
"""

from __future__ import annotations

import torch
from torch import nn

from leakpro.training.models import register_model


@register_model("gnn")
class GNN(nn.Module):
    """DenseGCNConv(hidden) → ReLU → DenseGCNConv(hidden) → ReLU → masked mean pool → fc → fc(n_classes)."""

    def __init__(
        self, in_features: int, n_classes: int, max_atoms: int = 40, hidden: int = 64
    ) -> None:
        super().__init__()
        try:
            from torch_geometric.nn import DenseGCNConv
        except ImportError as exc:
            raise ImportError("the gnn model needs torch_geometric; fix: pip install 'leakpro[graphs]'") from exc
        node_part = in_features - max_atoms * max_atoms
        if node_part <= 0 or node_part % max_atoms:
            raise ValueError(f"gnn: {in_features} features are not {max_atoms} padded atoms plus an adjacency")
        self.max_atoms, self.node_features = max_atoms, node_part // max_atoms
        self.conv1 = DenseGCNConv(self.node_features, hidden)
        self.conv2 = DenseGCNConv(hidden, hidden)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0], -1)
        split = self.max_atoms * self.node_features
        nodes = x[:, :split].reshape(-1, self.max_atoms, self.node_features)
        adjacency = x[:, split:].reshape(-1, self.max_atoms, self.max_atoms)
        mask = nodes.abs().sum(dim=2) > 0
        h = torch.relu(self.conv1(nodes, adjacency, mask))
        h = torch.relu(self.conv2(h, adjacency, mask))
        weights = mask.to(h.dtype).unsqueeze(2)
        pooled = (h * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return self.head(pooled)
