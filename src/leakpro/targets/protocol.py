"""The target protocol. Attacks never talk to torch or sklearn; they ask a Target."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from leakpro.data.dataset import Features


@runtime_checkable
class Target(Protocol):
    """A classifier under audit (or a reference model built like it)."""

    n_classes: int

    def logits(self, features: Features) -> np.ndarray:
        """(N, C) float64 logits or log-probabilities (equivalent up to a per-row constant)."""
        ...

    def predict(self, features: Features) -> np.ndarray:
        """(N,) int64 predicted labels."""
        ...

    def describe(self) -> str:
        """A one-line human description (architecture, estimator class)."""
        ...
