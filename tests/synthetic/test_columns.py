"""Column typing, shared encoding and the vectorised Gower distance against a slow loop."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leakpro.synthetic.columns import (
    MISSING,
    encode_tables,
    gower_distances,
    infer_column_types,
    min_distances,
    nearest_neighbours,
)


def test_infer_and_override() -> None:
    f = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "x"], "c": [True, False, True]})
    assert infer_column_types(f) == {"a": "numeric", "b": "categorical", "c": "categorical"}
    assert infer_column_types(f, {"a": "categorical"})["a"] == "categorical"


def test_binary_numeric_columns_are_categorical() -> None:
    """Issue 15 item 10: a 0/1 outcome is two classes, not a number guessed "within 5 %"."""
    f = pd.DataFrame({"outcome": [0, 1, 1, 0, 1], "flag": [2.0, 2.0, 7.0, 7.0, np.nan], "count": [0, 1, 2, 1, 0]})
    assert infer_column_types(f) == {"outcome": "categorical", "flag": "categorical", "count": "numeric"}
    assert infer_column_types(f, {"outcome": "numeric"})["outcome"] == "numeric"


def test_binary_outcome_is_guessed_exactly_in_the_audit() -> None:
    from leakpro.synthetic import audit_synthetic

    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"age": rng.integers(20, 70, 60), "outcome": rng.integers(0, 2, 60)}) for _ in range(3)]
    res = audit_synthetic(*frames, secrets=["outcome"], n_attacks=40, seed=0)
    assert res.column_types["outcome"] == "categorical"
    inference = [a for a in res.attacks if a.attack == "inference"]
    assert inference and all("exact match" in a.findings[0] and "within" not in a.findings[0] for a in inference)


def test_shared_codes_and_missing_category() -> None:
    ori = pd.DataFrame({"n": [1.0, 2.0, 3.0], "c": ["a", None, "b"]})
    syn = pd.DataFrame({"n": [4.0, 2.0, 3.0], "c": ["b", "z", "a"]})
    enc = encode_tables(ori, syn, ori, infer_column_types(ori))
    assert enc.missing_as_category == ("c",)
    assert set(enc.categories["c"]) == {"a", "b", "z", MISSING}
    a_code = enc.categories["c"].index("a")
    syn_row = enc.syn[enc.syn[:, 0] == 3.0][0]  # SYN is held in canonical (sorted) order
    assert enc.ori[0, 1] == a_code == syn_row[1]
    assert enc.ranges[0] == 3.0


def test_int_and_float_categories_agree() -> None:
    ori = pd.DataFrame({"k": [1, 2, 3]})
    syn = pd.DataFrame({"k": [1.0, 2.0, np.nan]})
    enc = encode_tables(ori, syn, ori, {"k": "categorical"})
    assert enc.ori[0, 0] == enc.syn[0, 0]


def _gower_slow(q: np.ndarray, t: np.ndarray, cat: np.ndarray, rng_: np.ndarray) -> np.ndarray:
    out = np.zeros((len(q), len(t)))
    for i in range(len(q)):
        for j in range(len(t)):
            for c in range(q.shape[1]):
                out[i, j] += float(q[i, c] != t[j, c]) if cat[c] else abs(q[i, c] - t[j, c]) / rng_[c]
    return out


def test_gower_and_neighbours_match_slow_versions() -> None:
    rng = np.random.default_rng(0)
    q = np.c_[rng.integers(0, 3, 15), rng.normal(size=15), rng.integers(0, 5, 15)].astype(float)
    t = np.c_[rng.integers(0, 3, 40), rng.normal(size=40), rng.integers(0, 5, 40)].astype(float)
    cat, ranges = np.array([True, False, False]), np.array([1.0, 3.0, 4.0])
    slow = _gower_slow(q, t, cat, ranges)
    assert np.allclose(gower_distances(q, t, cat, ranges), slow)
    idx, dist = nearest_neighbours(q, t, cat, ranges, 3)
    assert np.allclose(dist, np.sort(slow, axis=1)[:, :3])
    assert np.allclose(np.take_along_axis(slow, idx, axis=1), dist)
    assert np.allclose(min_distances(q, t, cat, ranges), slow.min(axis=1))
