"""A public domain for a table: each column's kind, numeric range and bins, categorical levels.

A domain is learnt from *public* data (in a generator audit, the attacker's auxiliary population) and then
held fixed. Two users rely on it:

* the DP-marginals generator (:mod:`leakpro.synthetic.dp_marginals`): its bins must not depend on the data it
  is fit on, or the noisy counts would not be differentially private;
* the shadow-modelling attack (:mod:`leakpro.synthetic.shadow_features`): histogram and query-count features
  of synthetic tables, comparable across tables because the bins are fixed.

Numeric columns get ``bins`` equal-width bins over the public range (values outside fall in the edge bins), so
an outlier lands in a bin of its own instead of being absorbed by a quantile bin. Categorical values not seen
in the public data map to an extra level ``"<other>"``.

>>> import pandas as pd
>>> d = Domain.from_frame(pd.DataFrame({"age": [20, 30, 40, 60], "sex": ["F", "M", "M", "F"]}), bins=4)
>>> d.cells(pd.DataFrame({"age": [20, 59, 99], "sex": ["M", "F", "X"]})).tolist()
[[0, 1], [3, 0], [3, 2]]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import pandas as pd

from leakpro.synthetic.columns import ColumnKind, infer_column_types

OTHER = "<other>"


@dataclass(frozen=True)
class ColumnDomain:
    """One column: numeric (``edges``, ``integer``) or categorical (``levels``, the last one ``<other>``)."""

    name: str
    kind: str
    edges: tuple[float, ...] = ()
    integer: bool = False
    levels: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """Number of cells (bins or levels)."""
        return len(self.edges) - 1 if self.kind == ColumnKind.NUMERIC.value else len(self.levels)

    def cells(self, values: pd.Series) -> np.ndarray:
        """The cell (bin or level index) of every value."""
        if self.kind == ColumnKind.NUMERIC.value:
            x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
            x = np.where(np.isnan(x), self.edges[0], x)
            return np.clip(np.searchsorted(self.edges, x, side="right") - 1, 0, self.size - 1)
        lookup = {v: i for i, v in enumerate(self.levels)}
        other = len(self.levels) - 1
        if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            # every present value is a str (its own text): look up each distinct value once, not every row
            codes, uniques = pd.factorize(values)  # a missing value gets code -1, which picks the last entry: ""
            texts = [*(str(u) for u in uniques), ""]
            return np.asarray([lookup.get(t, other) for t in texts], dtype=np.int64)[codes]
        return np.fromiter(map(lookup.get, _text(values), repeat(other)), dtype=np.int64, count=len(values))

    def values(self, cells: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Values for cells: a uniform draw inside each bin (rounded for integer columns), or the level."""
        if self.kind == ColumnKind.NUMERIC.value:
            edges = np.asarray(self.edges)
            x = edges[cells] + rng.random(len(cells)) * (edges[cells + 1] - edges[cells])
            return np.round(x).astype(np.int64) if self.integer else x
        return np.asarray(self.levels, dtype=object)[cells]


def _text(values: pd.Series) -> list[str]:
    """Each value as text, "" when missing (a str is its own text: its missing check is skipped)."""
    return [v if type(v) is str else "" if pd.isna(v) else str(v) for v in values.tolist()]


@dataclass(frozen=True)
class Domain:
    """Every column's :class:`ColumnDomain`, in table order."""

    columns: tuple[ColumnDomain, ...]

    @classmethod
    def from_frame(cls, public: pd.DataFrame, *, bins: int = 10,
                   column_types: Mapping[str, str] | None = None) -> Domain:
        """The domain of ``public`` (never the private table): ranges, ``bins`` equal-width bins, levels."""
        if bins < 1:
            raise ValueError(f"bins must be at least 1, got {bins}")
        types = infer_column_types(public, column_types)
        cols = []
        for name in public.columns:
            kind = types[str(name)]
            if kind == ColumnKind.NUMERIC.value:
                x = pd.to_numeric(public[name], errors="coerce").to_numpy(dtype=np.float64)
                x = x[~np.isnan(x)]
                lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
                hi = hi if hi > lo else lo + 1.0
                integer = bool(x.size and np.all(np.mod(x, 1) == 0))
                cols.append(ColumnDomain(str(name), kind, tuple(np.linspace(lo, hi, bins + 1).tolist()), integer))
            else:
                levels = (*sorted(set(_text(public[name])) - {OTHER}), OTHER)
                cols.append(ColumnDomain(str(name), kind, levels=levels))
        return cls(tuple(cols))

    @property
    def names(self) -> list[str]:
        """Column names, in order."""
        return [c.name for c in self.columns]

    @property
    def sizes(self) -> list[int]:
        """Cells per column."""
        return [c.size for c in self.columns]

    def cells(self, frame: pd.DataFrame) -> np.ndarray:
        """(rows, columns) int matrix of cells; ``frame`` must hold every column of the domain."""
        missing = [c for c in self.names if c not in frame.columns]
        if missing:
            raise ValueError(f"table lacks domain columns {missing}")
        if not len(frame):
            return np.zeros((0, len(self.columns)), dtype=np.int64)
        return np.column_stack([c.cells(frame[c.name]) for c in self.columns]).astype(np.int64)

    def numeric(self, frame: pd.DataFrame, cells: np.ndarray | None = None) -> np.ndarray:
        """(rows, columns) floats: numeric columns scaled to [0, 1] by the public range, categorical as codes
        (read from ``cells``, this domain's :meth:`cells` of ``frame``, when the caller already has them)."""
        out = np.empty((len(frame), len(self.columns)), dtype=np.float64)
        for j, c in enumerate(self.columns):
            if c.kind == ColumnKind.NUMERIC.value:
                x = pd.to_numeric(frame[c.name], errors="coerce").to_numpy(dtype=np.float64)
                lo, hi = c.edges[0], c.edges[-1]
                out[:, j] = (np.nan_to_num(x, nan=lo) - lo) / (hi - lo)
            else:
                out[:, j] = c.cells(frame[c.name]) if cells is None else cells[:, j]
        return out

    def categorical_mask(self) -> np.ndarray:
        """True where a column is categorical."""
        return np.asarray([c.kind == ColumnKind.CATEGORICAL.value for c in self.columns])
