"""Count the rows of a table that satisfy conjunctions of range conditions, without scanning every row.

Each singling-out predicate is a conjunction of conditions ``lo <= table[:, col] <= hi`` (``==`` has
``lo = hi``; ``>=`` has ``hi = inf``; ``<=`` has ``lo = -inf``). The table's columns are sorted once
(:class:`SortedTable`); for each predicate, binary search gives the rows that satisfy each condition as one
run of a sorted column, the smallest run is taken, and only its rows are checked against the other
conditions. The counts are exactly those of testing every row (:func:`count_matches_exhaustive`); the work
is the size of the smallest run instead of the whole table.

>>> import numpy as np
>>> table = np.array([[0.0, 5.0], [1.0, 7.0], [1.0, 9.0]])
>>> lo, hi = np.array([[1.0, 6.0]]), np.array([[1.0, 8.0]])
>>> SortedTable(table).match(np.array([[0, 1]]), lo, hi)
(array([1]), array([1]))
"""

from __future__ import annotations

import numpy as np

_BLOCK = 2_000_000


def count_matches_exhaustive(cols: np.ndarray, lo: np.ndarray, hi: np.ndarray, table: np.ndarray) -> np.ndarray:
    """The reference: test every row against every condition (vectorised over predicates and rows)."""
    counts = np.zeros(len(cols), dtype=np.int64)
    columns = np.ascontiguousarray(table.T)
    step = max(1, _BLOCK // max(1, len(table)))
    for start in range(0, len(cols), step):
        sl = slice(start, start + step)
        mask = np.ones((len(cols[sl]), len(table)), dtype=bool)
        for j in range(cols.shape[1]):
            values = columns[cols[sl, j]]
            mask &= values >= lo[sl, j][:, None]
            mask &= values <= hi[sl, j][:, None]
        counts[sl] = mask.sum(axis=1)
    return counts


class SortedTable:
    """A table whose columns are sorted (stable) on first use, for repeated predicate matching."""

    def __init__(self, table: np.ndarray) -> None:
        self.table = table
        self.columns = np.ascontiguousarray(table.T)
        self._orders: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Sort order of column ``j`` and its sorted values."""
        if j not in self._orders:
            order = np.argsort(self.columns[j], kind="stable")
            self._orders[j] = (order, self.columns[j][order])
        return self._orders[j]

    def _runs(self, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each condition, the start and end of its run in the sorted column."""
        start = np.empty(cols.shape, dtype=np.int64)
        end = np.empty(cols.shape, dtype=np.int64)
        for j in np.unique(cols).tolist():
            at = cols == j
            values = self._column(j)[1]
            start[at] = np.searchsorted(values, lo[at], side="left")
            end[at] = np.searchsorted(values, hi[at], side="right")
        return start, np.maximum(end, start)

    def match(self, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per predicate: how many rows satisfy it, and the row when exactly one does (else ``-1``)."""
        counts = np.zeros(len(cols), dtype=np.int64)
        single = np.full(len(cols), -1, dtype=np.int64)
        if len(cols) == 0:
            return counts, single
        start, end = self._runs(cols, lo, hi)
        by_size = np.argsort(end - start, axis=1, kind="stable")
        orders = {j: self._column(j)[0] for j in np.unique(cols).tolist()}
        for i, (b, *rest) in enumerate(by_size.tolist()):
            rows = orders[int(cols[i, b])][start[i, b] : end[i, b]]
            for c in rest:
                if len(rows) == 0:
                    break
                values = self.columns[cols[i, c]][rows]
                rows = rows[(values >= lo[i, c]) & (values <= hi[i, c])]
            counts[i] = len(rows)
            if len(rows) == 1:
                single[i] = rows[0]
        return counts, single
