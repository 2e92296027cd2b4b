"""The in-memory dataset every layer above works on.

Features are either a numeric array (N×d tabular, N×C×H×W images, any tensor data) or a DataFrame (for
scikit-learn pipelines that take a table with categorical columns). ``frame`` keeps the raw rows for
reports ("who leaks"); it is never shown to an attack that the threat model does not allow.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Features = np.ndarray | pd.DataFrame


def take(features: Features, idx: np.ndarray) -> Features:
    """Rows ``idx`` of an array or a DataFrame (DataFrame index reset)."""
    if isinstance(features, pd.DataFrame):
        return features.iloc[idx].reset_index(drop=True)
    return features[idx]


def n_rows(features: Features) -> int:
    return int(features.shape[0])


def fingerprint_features(features: Features) -> str:
    """A content hash of features (used in cache keys: data changes → new key)."""
    h = hashlib.sha256()
    if isinstance(features, pd.DataFrame):
        h.update(",".join(map(str, features.columns)).encode())
        h.update(pd.util.hash_pandas_object(features, index=False).to_numpy().tobytes())
    else:
        arr = np.ascontiguousarray(features)
        h.update(str((arr.shape, arr.dtype.str)).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def record_keys(features: Features, labels: np.ndarray) -> np.ndarray:
    """A uint64 content hash per record (its features and label): equal records get equal keys.

    Ordering records by it, instead of by row, keeps every figure independent of the table's row order.

    >>> x = np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]])
    >>> k = record_keys(x, np.array([0, 1, 0]))
    >>> bool(k[0] == k[2]), bool(k[0] == k[1])
    (True, False)
    """
    y = np.asarray(labels).astype(np.uint64)
    if isinstance(features, pd.DataFrame):
        if not all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in features.dtypes):
            rows = pd.util.hash_pandas_object(features, index=False).to_numpy(dtype=np.uint64)
            return pd.util.hash_array(rows ^ (y * np.uint64(0x9E3779B97F4A7C15))).astype(np.uint64)
        features = features.to_numpy(dtype=np.float64)
    arr = np.asarray(features)
    if np.issubdtype(arr.dtype, np.number):
        # one storage for numbers: the same records held as float64 (a table), float32 (a tensor) or integers get
        # the same keys, so an audit through an HTTP API draws exactly what the in-process audit draws
        arr = arr.astype(np.float32) + np.float32(0.0)  # + 0.0: -0.0 and 0.0 hash alike
    arr = np.ascontiguousarray(arr)
    arr = arr.reshape(arr.shape[0], -1)
    return np.array([
        int.from_bytes(hashlib.blake2b(row.tobytes() + int(label).to_bytes(8, "little"), digest_size=8).digest(),
                       "little")
        for row, label in zip(arr, y, strict=True)
    ], dtype=np.uint64)


@dataclass(frozen=True)
class Dataset:
    """Features, integer labels in 0..C−1, the class names, and optionally the raw rows."""

    name: str
    features: Features
    labels: np.ndarray
    classes: tuple[str, ...]
    frame: pd.DataFrame | None = field(default=None, repr=False)
    feature_names: tuple[str, ...] = ()
    augmentations: tuple[str, ...] = ()  # query-time augmentations (leakpro.data.augment); () = single query

    def __post_init__(self) -> None:
        if n_rows(self.features) != self.labels.shape[0]:
            raise ValueError(
                f"dataset {self.name!r}: {n_rows(self.features)} feature rows but {self.labels.shape[0]} labels"
            )

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def subset(self, idx: np.ndarray) -> Dataset:
        frame = None if self.frame is None else self.frame.iloc[idx].reset_index(drop=True)
        return Dataset(
            self.name, take(self.features, idx), self.labels[idx], self.classes, frame, self.feature_names,
            self.augmentations,
        )

    def fingerprint(self) -> str:
        h = hashlib.sha256(fingerprint_features(self.features).encode())
        h.update(np.ascontiguousarray(self.labels, dtype=np.int64).tobytes())
        return h.hexdigest()
