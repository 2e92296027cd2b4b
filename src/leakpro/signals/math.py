"""Membership signals from logits, computed in float64 log space.

Probabilities through a float32 softmax saturate at exactly 1.0 for well-fit records, which destroys
the low-FPR regime (see ATTACKS.md). Everything here starts from logits (or log-probabilities, which
are logits up to a per-row constant) and stays in log space.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp


def _check(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    if z.shape[-2] != y.shape[-1]:
        raise ValueError(f"logits have {z.shape[-2]} rows but there are {y.shape[-1]} labels")
    if z.shape[-1] < 2:
        raise ValueError("logits need at least two classes")
    return z, y


def logit_margin(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """φ = log(p_y / (1 − p_y)) = z_y − logsumexp_{j≠y} z_j, stable for any logit scale.

    Works on (N, C) or batched (K, N, C) logits; returns (N,) or (K, N).

    >>> float(logit_margin(np.array([[0.0, 2.0]]), np.array([1]))[0])
    2.0
    """
    z, y = _check(logits, labels)
    idx = np.broadcast_to(y[..., None], (*z.shape[:-1], 1))
    zy = np.take_along_axis(z, idx, axis=-1)[..., 0]
    others = z.copy()
    np.put_along_axis(others, idx, -np.inf, axis=-1)
    return zy - logsumexp(others, axis=-1)


def log_prob_true(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """log p_y = −softplus(−φ)."""
    return -np.logaddexp(0.0, -logit_margin(logits, labels))


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-record loss −log p_y = softplus(−φ)."""
    return np.logaddexp(0.0, -logit_margin(logits, labels))
