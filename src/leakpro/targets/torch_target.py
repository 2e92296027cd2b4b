"""A PyTorch module as a target."""

from __future__ import annotations

import numpy as np
from torch import nn

from leakpro.data.dataset import Features


class TorchTarget:
    """Wraps an ``nn.Module`` returning logits; features must be numeric arrays."""

    def __init__(self, module: nn.Module, n_classes: int, name: str = "torch") -> None:
        self.module = module.eval()
        self.n_classes = n_classes
        self.name = name
        self.privacy: dict[str, float] | None = getattr(module, "privacy_spent", None)

    def logits(self, features: Features) -> np.ndarray:
        from leakpro.training.torch_train import torch_logits

        if not isinstance(features, np.ndarray):
            features = features.to_numpy(dtype=np.float32)
        out = torch_logits(self.module, features)
        if out.ndim != 2 or out.shape[1] != self.n_classes:
            raise ValueError(
                f"the torch model returned outputs of shape {out.shape}; expected (N, {self.n_classes}) logits"
            )
        return out

    def predict(self, features: Features) -> np.ndarray:
        return self.logits(features).argmax(axis=1).astype(np.int64)

    def describe(self) -> str:
        n_params = sum(p.numel() for p in self.module.parameters())
        return f"PyTorch {type(self.module).__name__} ({n_params:,} parameters)"
