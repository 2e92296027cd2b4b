"""The contract every scoring attack's output meets, checked in one place for every family."""

from __future__ import annotations

import numpy as np


def checked_scores(attack: str, scores: object, n: int) -> np.ndarray:
    """``scores`` as float64, one finite score per candidate; a bug in the attack raises, never a wrong number."""
    out = np.asarray(scores, dtype=np.float64)
    if out.shape != (n,):
        raise RuntimeError(f"attack {attack!r} returned {out.shape}, expected ({n},)")
    if not np.isfinite(out).all():
        raise RuntimeError(f"attack {attack!r} produced non-finite scores")
    return out
