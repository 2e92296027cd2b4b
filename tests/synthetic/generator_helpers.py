"""Generators the generator-audit tests call by name ("package.module:function")."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from leakpro.data.adult import load_adult_frame


@cache
def _adult_test(columns: tuple[str, ...]) -> pd.DataFrame:
    return load_adult_frame("test")[list(columns)]  # once per process, not on every shadow run (never modified)


def ignores_training(frame: pd.DataFrame, n: int, *, seed: int) -> pd.DataFrame:
    """A null generator: rows of Adult's *test* split, never the training table (it cannot leak membership)."""
    return _adult_test(tuple(frame.columns)).sample(n, random_state=seed).reset_index(drop=True)


def copies(frame: pd.DataFrame, n: int, *, seed: int) -> pd.DataFrame:
    """A planted leak: the training rows themselves, shuffled (each row once before any repeats)."""
    order = np.concatenate([np.random.default_rng(seed).permutation(len(frame)) for _ in range(n // len(frame) + 1)])
    return frame.iloc[order[:n]].reset_index(drop=True)
