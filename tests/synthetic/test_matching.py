"""Predicate matching through sorted columns gives exactly the counts of testing every row."""

from __future__ import annotations

import numpy as np

from leakpro.synthetic.columns import encode_tables, infer_column_types
from leakpro.synthetic.matching import SortedTable, count_matches_exhaustive
from leakpro.synthetic.singling_out import (
    _bounds,
    _isolated_rows,
    count_matches,
    multivariate_candidates,
    univariate_candidates,
)


def test_sorted_matching_equals_testing_every_row() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        n, p, width, b = (
            int(v) for v in (rng.integers(1, 60), rng.integers(1, 5), rng.integers(1, 4), rng.integers(0, 30))
        )
        table = rng.integers(0, 5, (n, p)).astype(float) * rng.choice([1.0, 0.5])
        cols = rng.integers(0, p, (b, width))
        values = rng.integers(-1, 6, (b, width)).astype(float)
        op = rng.integers(0, 3, (b, width))
        lo, hi = np.where(op == 2, -np.inf, values), np.where(op == 1, np.inf, values)
        counts, single = SortedTable(table).match(cols, lo, hi)
        assert np.array_equal(counts, count_matches_exhaustive(cols, lo, hi, table))
        for i in range(b):
            ok = np.ones(n, dtype=bool)
            for c in range(width):
                ok &= (table[:, cols[i, c]] >= lo[i, c]) & (table[:, cols[i, c]] <= hi[i, c])
            assert single[i] == (np.flatnonzero(ok)[0] if ok.sum() == 1 else -1)


def test_singling_out_predicates_on_adult(adult_parts) -> None:  # type: ignore[no-untyped-def]
    ori, control, other = adult_parts
    tables = encode_tables(ori, other, control, infer_column_types(ori))
    rng = np.random.default_rng(0)
    for pred in (univariate_candidates(tables), multivariate_candidates(tables, 3, 400, rng)):
        lo, hi = _bounds(pred)
        for table in (tables.syn, tables.ori):
            counts = count_matches(pred, table)
            assert np.array_equal(counts, count_matches_exhaustive(pred.cols, lo, hi, table))
            rows = _isolated_rows(pred, table)
            assert len(rows) == int((counts == 1).sum())
            for i, r in zip(np.flatnonzero(counts == 1), rows, strict=True):
                assert np.all((table[r, pred.cols[i]] >= lo[i]) & (table[r, pred.cols[i]] <= hi[i]))
