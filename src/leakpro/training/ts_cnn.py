"""A small 1-D convolutional classifier for (multivariate) time series, registered as ``ts_cnn``.

Two 1-D convolution blocks (kernel 7 then 5, ReLU, max-pooling by 2 after each), global average pooling
over time (or, with ``pool="flatten"``, the whole pooled time axis: more parameters, more memorisation),
one hidden fully connected layer. It takes ``in_features`` like every registered model and
recovers the series length from it (``in_features = channels · length``), so flat (N, d) features work as
well as (N, C, T).

>>> import torch
>>> TimeSeriesCNN(in_features=275, n_classes=4)(torch.zeros(2, 1, 275)).shape
torch.Size([2, 4])
"""

from __future__ import annotations

import torch
from torch import nn

from leakpro.training.models import register_model


@register_model("ts_cnn")
class TimeSeriesCNN(nn.Module):
    """conv1d(width, 7) → ReLU → maxpool → conv1d(2·width, 5) → ReLU → maxpool → mean/flatten → fc → fc."""

    def __init__(
        self, in_features: int, n_classes: int, channels: int = 1, width: int = 16, hidden: int = 64,
        pool: str = "mean",
    ) -> None:
        super().__init__()
        length = in_features // channels
        if channels * length != in_features or length < 4:
            raise ValueError(f"ts_cnn: {in_features} features are not {channels} channel(s) of a series")
        if pool not in ("mean", "flatten"):
            raise ValueError(f"ts_cnn: pool must be 'mean' or 'flatten', not {pool!r}")
        self.channels, self.length, self.pool = channels, length, pool
        self.features = nn.Sequential(
            nn.Conv1d(channels, width, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(width, 2 * width, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
        )
        pooled = 2 * width * (length // 4) if pool == "flatten" else 2 * width
        self.head = nn.Sequential(nn.Linear(pooled, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0], self.channels, self.length)
        h = self.features(x)
        return self.head(h.flatten(1) if self.pool == "flatten" else h.mean(dim=2))
