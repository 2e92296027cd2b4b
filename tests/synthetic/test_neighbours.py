"""The pruned nearest-neighbour search returns exactly the exhaustive search's answer (indices and distances)."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.synthetic import neighbours
from leakpro.synthetic.columns import (
    encode_tables,
    gower_distances,
    infer_column_types,
    min_distances,
    nearest_neighbours,
    nearest_neighbours_exhaustive,
)


def _loop_reference(q: np.ndarray, t: np.ndarray, cat: np.ndarray, r: np.ndarray, k: int) -> list[list[int]]:
    """Obviously correct: every distance by a Python loop, then sort by (distance, index)."""
    out = []
    for row in q:
        d = [gower_distances(row[None, :], t[i][None, :], cat, r)[0, 0] for i in range(len(t))]
        out.append(sorted(range(len(t)), key=lambda i: (d[i], i))[:k])
    return out


def _random_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Small tables with many ties and duplicate rows; some columns categorical, some numeric."""
    n, m, p = int(rng.integers(1, 50)), int(rng.integers(1, 25)), int(rng.integers(1, 6))
    cat = rng.random(p) < 0.5
    scale = rng.choice([1.0, 0.1, 0.3], size=p)
    t = np.where(cat, rng.integers(0, 3, (n, p)), rng.integers(0, 4, (n, p)) * scale)
    q = np.where(cat, rng.integers(0, 4, (m, p)), rng.integers(0, 5, (m, p)) * scale)
    ranges = np.where(cat, 1.0, rng.choice([1.0, 3.0, 0.7], size=p))
    return q.astype(float), t.astype(float), cat, ranges, int(rng.integers(1, 7))


def test_pruned_search_equals_exhaustive_and_loop() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        q, t, cat, ranges, k = _random_case(rng)
        fast = nearest_neighbours(q, t, cat, ranges, k)
        slow = nearest_neighbours_exhaustive(q, t, cat, ranges, k)
        assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])
        assert fast[0].tolist() == _loop_reference(q, t, cat, ranges, k)
        assert np.array_equal(min_distances(q, t, cat, ranges), slow[1][:, 0])


def test_blocks_and_pair_budget_do_not_change_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    cases = [_random_case(rng) for _ in range(40)]
    expected = [nearest_neighbours(q, t, c, r, k) for q, t, c, r, k in cases]
    monkeypatch.setattr(neighbours, "_BLOCK_ELEMENTS", 7)
    monkeypatch.setattr(neighbours, "_PAIR_BUDGET", 5)
    for (q, t, c, r, k), (idx, dst) in zip(cases, expected, strict=True):
        again = nearest_neighbours(q, t, c, r, k)
        assert np.array_equal(again[0], idx) and np.array_equal(again[1], dst)


def test_all_numeric_all_categorical_and_k_above_n() -> None:
    rng = np.random.default_rng(2)
    t = rng.integers(0, 3, (30, 3)).astype(float)
    q = rng.integers(0, 3, (9, 3)).astype(float)
    for cat in (np.zeros(3, bool), np.ones(3, bool)):
        fast = nearest_neighbours(q, t, cat, np.full(3, 2.0), 40)
        slow = nearest_neighbours_exhaustive(q, t, cat, np.full(3, 2.0), 40)
        assert fast[0].shape == (9, 30)
        assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])


def test_adult_columns_match_exhaustive(adult_parts) -> None:  # type: ignore[no-untyped-def]
    """Real mixed columns (8 categorical, 6 numeric, many duplicates on a few columns)."""
    ori, control, other = adult_parts
    tables = encode_tables(ori, other, control, infer_column_types(ori))
    for cols in (list(tables.columns), ["race", "sex", "capital_gain", "capital_loss", "native_country"]):
        q, t = tables.select(tables.ori[:300], cols), tables.select(tables.syn, cols)
        cat, ranges = tables.kinds_for(cols), tables.ranges_for(cols)
        for k in (1, 3):
            fast = nearest_neighbours(q, t, cat, ranges, k)
            slow = nearest_neighbours_exhaustive(q, t, cat, ranges, k)
            assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])


def test_in_place_gower_and_kernel_density_are_bitwise_the_plain_formula(monkeypatch: pytest.MonkeyPatch) -> None:
    from leakpro.synthetic import columns
    from leakpro.synthetic.membership import log_kernel_density

    rng = np.random.default_rng(3)
    q, t, cat, ranges, _ = _random_case(rng)
    plain = np.zeros((len(q), len(t)))
    for j in range(q.shape[1]):
        plain += (
            (q[:, j][:, None] != t[:, j][None, :])
            if cat[j]
            else np.abs(q[:, j][:, None] - t[:, j][None, :]) / ranges[j]
        )
    assert np.array_equal(gower_distances(q, t, cat, ranges), plain)
    whole = log_kernel_density(q, t, cat, ranges, 0.3)
    monkeypatch.setattr(columns, "_BLOCK_ELEMENTS", 1)
    assert np.array_equal(log_kernel_density(q, t, cat, ranges, 0.3), whole)
