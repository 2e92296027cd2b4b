"""Column types, a shared encoding of the three tables, and the mixed-type (Gower) distance.

Every attack works on one :class:`EncodedTables`: a float matrix per table in which numeric columns keep
their raw values and categorical columns hold integer codes shared by ORI, SYN and CONTROL. Missing
values in categorical columns become their own category (``"<missing>"``) and the column is recorded;
missing values in numeric columns are rejected up front (see :mod:`leakpro.synthetic.validation`).

The distance is Gower's: per column, ``|a - b| / range`` for numeric columns (range over the union of
the three tables, so every table is scaled the same way) and ``a != b`` for categorical ones, summed over
the chosen columns, column by column in column order. The full matrix is computed on blocks of query rows
(memory ``block × n_targets`` floats); nearest neighbours come from the pruned exact search of
:mod:`leakpro.synthetic.neighbours`, which computes the same distances, by the same formula, for the few
targets that can be nearest.

>>> import pandas as pd
>>> f = pd.DataFrame({"age": [20, 40], "sex": ["F", "M"]})
>>> enc = encode_tables(f, f, f, infer_column_types(f))
>>> gower_distances(enc.ori, enc.syn, enc.kinds_for(["age", "sex"]), enc.ranges_for(["age", "sex"])).tolist()
[[0.0, 2.0], [2.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

import numpy as np
import pandas as pd

from leakpro.synthetic.neighbours import nearest_neighbours

__all__ = [
    "MISSING",
    "ColumnKind",
    "EncodedTables",
    "encode_tables",
    "gower_distances",
    "infer_column_types",
    "min_distances",
    "nearest_neighbours",
    "nearest_neighbours_exhaustive",
    "numeric_dtype",
]

MISSING = "<missing>"
MAX_BINARY = 2
_BLOCK_ELEMENTS = 1_000_000  # a block's matrices stay in cache


class ColumnKind(StrEnum):
    """How a column is compared: numeric by scaled absolute difference, categorical by equality."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


def numeric_dtype(series: pd.Series) -> bool:
    """Whether ``series`` is stored as numbers (bool excluded)."""
    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def infer_column_types(frame: pd.DataFrame, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Numeric dtypes are numeric, except binary ones; everything else categorical; ``overrides`` win.

    A numeric column with at most :data:`MAX_BINARY` distinct values (a 0/1 outcome, a yes/no flag) is
    categorical: its two values are two classes, so an inference guess must match exactly (not "within 5 %"),
    the random baseline draws one of the two values (not a number between them), and singling out writes
    ``== v`` (not a tail). A column with three or more values may be an ordinal count and stays numeric; set
    ``column_types`` to say otherwise.
    """
    types: dict[str, str] = {}
    for name in frame.columns:
        series = frame[name]
        numeric = numeric_dtype(series) and series.nunique(dropna=True) > MAX_BINARY
        types[str(name)] = ColumnKind.NUMERIC.value if numeric else ColumnKind.CATEGORICAL.value
    for name, kind in (overrides or {}).items():
        types[name] = ColumnKind(kind).value
    return types


@dataclass(frozen=True)
class EncodedTables:
    """ORI, SYN and CONTROL as float matrices over the same columns with shared category codes."""

    columns: tuple[str, ...]
    kinds: tuple[ColumnKind, ...]
    ori: np.ndarray
    syn: np.ndarray
    control: np.ndarray
    ranges: np.ndarray
    categories: dict[str, tuple[str, ...]]
    missing_as_category: tuple[str, ...]

    @cached_property
    def syn_medians(self) -> np.ndarray:
        """Per-column median of SYN (computed once)."""
        return np.asarray(np.median(self.syn, axis=0))

    def index(self, names: Sequence[str]) -> np.ndarray:
        """Positions of ``names`` among the columns."""
        return np.asarray([self.columns.index(n) for n in names], dtype=np.int64)

    def kinds_for(self, names: Sequence[str]) -> np.ndarray:
        """Boolean mask (True = categorical) for ``names``, used by :func:`gower_distances`."""
        return np.asarray([self.kinds[self.columns.index(n)] is ColumnKind.CATEGORICAL for n in names])

    def ranges_for(self, names: Sequence[str]) -> np.ndarray:
        """Ranges for ``names`` (1 for categorical columns)."""
        return self.ranges[self.index(names)]

    def select(self, table: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """The columns ``names`` of an encoded ``table``."""
        return table[:, self.index(names)]

    def describe(self, column: str, value: float) -> str:
        """A human-readable form of an encoded value of ``column``."""
        if column in self.categories:
            return repr(self.categories[column][int(value)])
        return f"{value:g}"


def encode_tables(
    ori: pd.DataFrame, syn: pd.DataFrame, control: pd.DataFrame, column_types: Mapping[str, str]
) -> EncodedTables:
    """Encode the three (already validated) tables with shared category codes and numeric ranges.

    SYN's rows are put in one canonical order, sorted by their encoded values (first column first): the
    attacker holds SYN as a set of records, so no figure may depend on the order in which the generator
    wrote them (random draws of SYN rows, ties between equally near records, sums over SYN). ORI and
    CONTROL keep their order, since exposed records are reported by their row number.
    """
    columns = tuple(str(c) for c in ori.columns)
    kinds = tuple(ColumnKind(column_types[c]) for c in columns)
    frames = (ori, syn, control)
    out = [np.empty((len(f), len(columns)), dtype=np.float64) for f in frames]
    ranges = np.ones(len(columns), dtype=np.float64)
    categories: dict[str, tuple[str, ...]] = {}
    missing: list[str] = []
    for j, (name, kind) in enumerate(zip(columns, kinds, strict=True)):
        if kind is ColumnKind.NUMERIC:
            for f, mat in zip(frames, out, strict=True):
                mat[:, j] = pd.to_numeric(f[name]).to_numpy(dtype=np.float64)
            lo = min(float(m[:, j].min()) for m in out)
            hi = max(float(m[:, j].max()) for m in out)
            ranges[j] = hi - lo if hi > lo else 1.0
            continue
        texts = [_as_text(f[name]) for f in frames]
        if any((t == MISSING).any() for t in texts):
            missing.append(name)
        levels = tuple(sorted(set().union(*(set(t.tolist()) for t in texts))))
        categories[name] = levels
        lookup = {v: i for i, v in enumerate(levels)}
        for t, mat in zip(texts, out, strict=True):
            mat[:, j] = np.fromiter((lookup[v] for v in t), dtype=np.float64, count=len(t))
    canonical = out[1][np.lexsort(out[1].T[::-1])] if len(columns) else out[1]
    return EncodedTables(columns, kinds, out[0], canonical, out[2], ranges, categories, tuple(missing))


def _as_text(series: pd.Series) -> np.ndarray:
    """Category labels as text; numbers print the same whether stored as int or float (``39`` = ``39.0``)."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = [
            MISSING if pd.isna(v) else f"{float(v):g}" if float(v) != int(v) else str(int(v))
            for v in series.to_numpy(dtype=np.float64)
        ]
        return np.asarray(values, dtype=object)
    return series.astype(object).where(series.notna(), MISSING).astype(str).to_numpy(dtype=object)


def gower_distances(
    queries: np.ndarray, targets: np.ndarray, categorical: np.ndarray, ranges: np.ndarray
) -> np.ndarray:
    """Full ``len(queries) × len(targets)`` Gower distance matrix (sum over columns, not averaged).

    Column by column in column order: ``+= (q != t)`` or ``+= |q - t| / range``, in place.
    """
    dist = np.zeros((len(queries), len(targets)), dtype=np.float64)
    term = np.empty_like(dist)
    differ = np.empty(dist.shape, dtype=bool)
    for j in range(queries.shape[1]):
        q = queries[:, j][:, None]
        t = targets[:, j][None, :]
        if categorical[j]:
            np.not_equal(q, t, out=differ)
            dist += differ
        else:
            np.subtract(q, t, out=term)
            np.abs(term, out=term)
            np.divide(term, ranges[j], out=term)
            dist += term
    return dist


def _step(n_targets: int) -> int:
    return max(1, _BLOCK_ELEMENTS // max(1, n_targets))


def nearest_neighbours_exhaustive(
    queries: np.ndarray, targets: np.ndarray, categorical: np.ndarray, ranges: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and distances of the ``k`` nearest targets of every query, nearest first, ties by lower index.

    The reference: every distance, then a stable sort. :func:`nearest_neighbours` returns the same answer
    without computing every distance.
    """
    k = min(k, len(targets))
    idx = np.empty((len(queries), k), dtype=np.int64)
    dst = np.empty((len(queries), k), dtype=np.float64)
    step = _step(len(targets))
    for start in range(0, len(queries), step):
        block = gower_distances(queries[start : start + step], targets, categorical, ranges)
        order = np.argsort(block, axis=1, kind="stable")[:, :k]
        idx[start : start + len(block)] = order
        dst[start : start + len(block)] = np.take_along_axis(block, order, axis=1)
    return idx, dst


def min_distances(
    queries: np.ndarray, targets: np.ndarray, categorical: np.ndarray, ranges: np.ndarray
) -> np.ndarray:
    """Distance from every query to its closest target."""
    return nearest_neighbours(queries, targets, categorical, ranges, 1)[1][:, 0]
