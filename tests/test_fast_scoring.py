"""Fast attack paths against slow, obviously correct versions (their speed is measured in benchmarks/mia.py)."""

from __future__ import annotations

import numpy as np
from sklearn.neural_network import MLPClassifier

from leakpro.attacks.membership.features import canonical_ids, collapse_one_hot, feature_scale, perturb
from leakpro.attacks.membership.label_only import LabelOnlyBoundary
from leakpro.data.dataset import Dataset
from leakpro.game.view import AttackerView, QueryOracle, ThreatModel
from leakpro.targets.sklearn_target import SklearnTarget


def _boundary_one_direction_at_a_time(view: AttackerView, directions: int, steps: int, max_radius: float,
                                      seed: int) -> np.ndarray:
    """The boundary search as first written: each direction searched to the end, one query per step."""
    c = slice(0, view.n_candidates)
    feats = view.features(c)
    scale = feature_scale(view.records.features)
    ids, distinct = canonical_ids(feats, view.labels[c])
    rng = np.random.default_rng(seed)
    base = view.oracle.labels(feats)
    radii = np.empty((directions, view.n_candidates))
    for d in range(directions):
        u = rng.standard_normal((distinct, scale.size))[ids]
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        lo, hi = np.zeros(view.n_candidates), np.full(view.n_candidates, max_radius)
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            flipped = view.oracle.labels(perturb(feats, u * scale * mid[:, None])) != base
            hi = np.where(flipped, mid, hi)
            lo = np.where(flipped, lo, mid)
        radii[d] = 0.5 * (lo + hi)
    dist = radii.min(axis=0)
    return np.where(base == view.labels[c], dist, -dist)


def _view() -> AttackerView:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 5))
    y = (x[:, 0] + np.sin(3 * x[:, 1]) + 0.3 * rng.normal(size=600) > 0).astype(np.int64)
    model = MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(x[:300], y[:300])
    target = SklearnTarget(model, 2)
    return AttackerView(ThreatModel.LABELS, Dataset("toy", x, y, ("0", "1")), 400,
                        QueryOracle(target, ThreatModel.LABELS), lambda k: None, seed=0)  # type: ignore[arg-type,return-value]


def test_batched_pruned_boundary_search_equals_the_plain_search():
    fast_view, slow_view = _view(), _view()
    fast = LabelOnlyBoundary(random_state=3, directions=5, steps=10).run(fast_view)
    slow = _boundary_one_direction_at_a_time(slow_view, 5, 10, 64.0, seed=3)
    np.testing.assert_array_equal(fast, slow)
    assert fast_view.oracle.queries < slow_view.oracle.queries  # pruned pairs are not queried


def test_collapse_one_hot_keeps_the_information_and_ignores_row_order():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 4, size=200)
    x = np.column_stack([rng.normal(size=200), np.eye(4)[codes], rng.integers(0, 2, size=200), np.eye(3)[codes % 3]])
    m, cat = collapse_one_hot(x)
    assert cat.tolist() == [False, True, False, True]
    np.testing.assert_array_equal(m[:, 1], codes)
    np.testing.assert_array_equal(m[:, 3], codes % 3)
    perm = rng.permutation(200)
    m2, _ = collapse_one_hot(x[perm])
    np.testing.assert_array_equal(m2, m[perm])
    partial = x.copy()
    partial[0, 1:5] = 0  # a row with no category: that block is left as it is
    assert collapse_one_hot(partial)[1].tolist() == [False] * 6 + [True]
