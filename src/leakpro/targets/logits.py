"""What every target answers: logits, in float64 log space (log-probabilities are logits up to a row constant).

An estimator's or an API's probabilities become logits here, and output defences work on log-probabilities;
the membership signals built on logits are in :mod:`leakpro.signals.math`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp


def log_softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise log-softmax of ``logits / temperature`` in float64."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    return z - logsumexp(z, axis=-1, keepdims=True)


def probs_to_logits(probs: np.ndarray, floor: float = 1e-30) -> np.ndarray:
    """Log-probabilities from a probability matrix (e.g. sklearn ``predict_proba``), floored at ``floor``.

    A tree that outputs exactly 0 gets log(floor): finite, and still the lowest possible value.
    """
    p = np.asarray(probs, dtype=np.float64)
    if np.isnan(p).any():
        raise ValueError("the model returned NaN probabilities")
    return np.log(np.clip(p, floor, 1.0))
