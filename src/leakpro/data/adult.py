"""The Adult census table (UCI, CC BY 4.0), shipped inside LeakPro as compressed CSV.

``load_adult_frame`` returns the raw table (15 columns, ``income`` is the label, "?" marks a missing
category). ``encode_adult`` turns it into the 108 numeric features used by the built-in MLP: the six
numeric columns standardised with constants from the train split, the eight categorical columns one-hot
over the categories of the train split.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

LABEL = "income"
NUMERIC = ("age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week")
CATEGORICAL = (
    "workclass",
    "education",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "native_country",
)
CLASSES = ("<=50K", ">50K")

Split = Literal["train", "test", "all"]


@cache
def _read(split: Literal["train", "test"]) -> pd.DataFrame:
    path = resources.files("leakpro.data.builtin").joinpath(f"adult_{split}.csv.xz")
    with resources.as_file(path) as p:
        return pd.read_csv(p, compression="xz")


def load_adult_frame(split: Split = "train") -> pd.DataFrame:
    """The raw Adult table: ``train`` (32,561 rows), ``test`` (16,281) or ``all`` (48,842).

    >>> load_adult_frame("train").shape
    (32561, 15)
    """
    if split == "all":
        return pd.concat([_read("train"), _read("test")], ignore_index=True)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
    return _read(split).copy()


@cache
def _encoding() -> tuple[dict[str, tuple[float, float]], dict[str, tuple[str, ...]]]:
    train = _read("train")
    scale = {c: (float(train[c].mean()), float(train[c].std())) for c in NUMERIC}
    cats = {c: tuple(sorted(train[c].astype(str).unique())) for c in CATEGORICAL}
    return scale, cats


def encode_adult(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Encode an Adult frame: (features float32 N×108, labels int64 in {0, 1}, feature names)."""
    scale, cats = _encoding()
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for c in NUMERIC:
        mean, std = scale[c]
        blocks.append(((frame[c].to_numpy(dtype=np.float64) - mean) / std)[:, None])
        names.append(c)
    rows = np.arange(len(frame))
    for c in CATEGORICAL:
        levels = cats[c]
        # one-hot by category codes (a value outside the training levels has code −1: an all-zero row), the same
        # matrix as comparing every value with every level, without an N × levels comparison of Python strings
        codes = pd.Categorical(frame[c].astype(str), categories=levels).codes
        onehot = np.zeros((len(frame), len(levels)), dtype=np.float64)
        known = codes >= 0
        onehot[rows[known], codes[known]] = 1.0
        blocks.append(onehot)
        names.extend(f"{c}={v}" for v in levels)
    features = np.concatenate(blocks, axis=1).astype(np.float32)
    labels = (frame[LABEL].astype(str).str.strip() == CLASSES[1]).to_numpy().astype(np.int64)
    return features, labels, names
