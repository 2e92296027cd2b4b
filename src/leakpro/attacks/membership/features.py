"""Shared helpers for attacks that learn from record features or perturb them.

Row order never changes a figure: anything an attack draws per record (noise, directions) or learns
from records in sequence (folds, boosting) is keyed by the record's own content
(:func:`~leakpro.data.dataset.record_keys`), never by its position, so the same records in another order
get the same scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leakpro.data.dataset import Features, record_keys
from leakpro.training.threads import one_thread  # noqa: F401  (attacks import it from here)


def numeric_matrix(features: Features) -> np.ndarray:
    """Features as a 2-D float matrix; DataFrames get categorical columns as integer codes."""
    if isinstance(features, pd.DataFrame):
        cols = []
        for name in features.columns:
            col = features[name]
            if pd.api.types.is_numeric_dtype(col):
                cols.append(col.to_numpy(dtype=np.float64))
            else:
                cols.append(pd.Categorical(col.astype(str)).codes.astype(np.float64))
        return np.column_stack(cols) if cols else np.zeros((len(features), 0))
    arr = np.asarray(features, dtype=np.float64)
    return arr.reshape(arr.shape[0], -1)


def collapse_one_hot(x: np.ndarray, max_categories: int = 255) -> tuple[np.ndarray, np.ndarray]:
    """Runs of adjacent 0/1 columns that hold exactly one 1 per row become one column of category codes.

    Returns (matrix, bool mask of the categorical columns). Gradient boosting builds one histogram per column
    per node, so Adult's 108 one-hot columns cost it about 5× the time of the 14 variables they encode, for the
    same fit (a categorical split can do what splits on the one-hot columns do). Runs are found greedily from
    the left over all rows, so the result depends on the columns' content, never on row order.

    >>> x = np.array([[1., 0, 0, 2.5], [0, 0, 1, 0.5], [0, 1, 0, 1.5]])
    >>> m, cat = collapse_one_hot(x)
    >>> m.tolist(), cat.tolist()
    ([[0.0, 2.5], [2.0, 0.5], [1.0, 1.5]], [True, False])
    """
    binary = ((x == 0) | (x == 1)).all(axis=0)
    cols: list[np.ndarray] = []
    cat: list[bool] = []
    j, d = 0, x.shape[1]
    while j < d:
        if binary[j]:
            k, total = j, np.zeros(x.shape[0])
            while k < d and k - j < max_categories and binary[k] and (total + x[:, k]).max() <= 1:
                total += x[:, k]
                k += 1
            if k - j >= 2 and total.min() == 1:
                cols.append(x[:, j:k].argmax(axis=1).astype(np.float64))
                cat.append(True)
                j = k
                continue
        cols.append(x[:, j])
        cat.append(False)
        j += 1
    matrix = np.column_stack(cols) if cols else np.zeros((x.shape[0], 0))
    return matrix, np.array(cat, dtype=bool)


def canonical_ids(features: Features, labels: np.ndarray) -> tuple[np.ndarray, int]:
    """(id per record, number of distinct records): ids 0..n−1 ordered by content hash, equal for equal records.

    Per-record randomness drawn as ``rng.standard_normal((n, d))[ids]`` is then the same for a record in
    any row order, and duplicates get the same draw.
    """
    keys, ids = np.unique(record_keys(features, labels), return_inverse=True)
    return ids.reshape(-1), int(keys.size)


def numeric_columns(features: Features) -> list[str]:
    if isinstance(features, pd.DataFrame):
        return [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c])]
    return []


def feature_scale(features: Features) -> np.ndarray:
    """Per-feature standard deviation of the numeric part (1.0 where constant)."""
    if isinstance(features, pd.DataFrame):
        cols = numeric_columns(features)
        if not cols:
            raise ValueError("label-only perturbation needs numeric feature columns; the table has none")
        x = features[cols].to_numpy(dtype=np.float64)
    else:
        x = np.asarray(features, dtype=np.float64).reshape(features.shape[0], -1)
    sd = np.sort(x, axis=0).std(axis=0)  # sorted first: the float sum, and so the result, ignores row order
    return np.where(sd > 0, sd, 1.0)


def perturb(features: Features, noise: np.ndarray) -> Features:
    """Add ``noise`` (N, d_numeric) to the numeric part of ``features``; categorical columns unchanged."""
    if isinstance(features, pd.DataFrame):
        out = features.copy()
        cols = numeric_columns(features)
        out[cols] = features[cols].to_numpy(dtype=np.float64) + noise
        return out
    arr = np.asarray(features)
    return (arr.reshape(arr.shape[0], -1) + noise).reshape(arr.shape).astype(arr.dtype, copy=False)

