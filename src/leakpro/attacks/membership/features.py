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


def one_thread():  # type: ignore[no-untyped-def]
    """Limit OpenMP/BLAS pools to one thread: gradient boosting on a few thousand rows gains nothing
    from more, and on a loaded 2-core machine its spinning threads were measured 70× slower."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)
