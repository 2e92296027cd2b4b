"""Output-side defences: what the API reveals of the model's probabilities (top-k, rounding, labels only).

The same transform is applied to the attacker's reference models, since a realistic attacker mimics the API
it queries. ``labels_only`` turns the audit's threat model into label-only instead.
"""

from __future__ import annotations

import numpy as np

from leakpro.config.target_specs import OutputDefence
from leakpro.data.dataset import Features
from leakpro.targets.logits import log_softmax, probs_to_logits
from leakpro.targets.protocol import Target


def defend_logits(logits: np.ndarray, spec: OutputDefence) -> np.ndarray:
    """Apply top-k and rounding to (…, N, C) logits; returns log-probabilities of what the API reveals."""
    p = np.exp(log_softmax(logits))
    if spec.top_k is not None and spec.top_k < p.shape[-1]:
        kth = -np.sort(-p, axis=-1)[..., spec.top_k - 1 : spec.top_k]
        p = np.where(p >= kth, p, 0.0)
    if spec.round is not None:
        p = np.round(p, spec.round)
    return probs_to_logits(p)


class OutputDefendedTarget:
    """A target whose API applies an output defence."""

    def __init__(self, inner: Target, spec: OutputDefence) -> None:
        self.inner = inner
        self.spec = spec
        self.n_classes = inner.n_classes
        self.privacy: dict[str, float] | None = getattr(inner, "privacy", None)

    def logits(self, features: Features) -> np.ndarray:
        return defend_logits(self.inner.logits(features), self.spec)

    def predict(self, features: Features) -> np.ndarray:
        return self.inner.predict(features)

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.spec.model_dump(exclude_defaults=True).items())
        return f"{self.inner.describe()} behind an API with {shown or 'no output defence'}"
