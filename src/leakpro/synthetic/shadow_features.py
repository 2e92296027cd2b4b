"""Features of a synthetic table for the shadow-modelling attack, and the per-table baselines (DCR, DOMIAS).

Feature sets (Stadler et al. 2022, "Groundhog"; Houssiau et al. 2022, "TAPAS"), all on a fixed public
:class:`~leakpro.synthetic.domain.Domain` so that tables are comparable:

* ``naive``: per column, mean, median and variance of the values (numeric scaled to [0, 1] by the public
  range; categorical as level codes);
* ``histogram``: per column, the frequency of every bin or level;
* ``correlation``: the Pearson correlation of every pair of columns (0 where a column is constant);
* ``query``: TAPAS-style counting queries around the target x: the fraction of synthetic rows that share x's
  cell (bin or level) on each single column, each pair of columns, and on every column at once, and that
  hold x's exact value on each column and on every column at once (a generator that re-emits real values);
* ``distance``: the Gower distance from x to its closest synthetic rows (1st, mean of 5 nearest) and the
  fraction of rows within 0.5, 1 and 2 of it.

The baselines score the same table for the same x without running the generator: ``dcr`` = −(distance from x
to its closest synthetic row), ``domias`` = log p_SYN(x) − log p_REF(x) with the Laplace-kernel KDE of
:mod:`leakpro.synthetic.membership` and the attacker's auxiliary data as REF.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from leakpro.synthetic.columns import gower_distances
from leakpro.synthetic.domain import Domain
from leakpro.synthetic.membership import log_kernel_density

FEATURE_SETS = ("naive", "histogram", "correlation", "query", "distance")


def naive_features(values: np.ndarray) -> np.ndarray:
    """Mean, median and variance of every column of the (rows, columns) ``values``."""
    return np.concatenate([values.mean(axis=0), np.median(values, axis=0), values.var(axis=0)])


def histogram_features(cells: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Every column's cell frequencies, concatenated."""
    n = max(len(cells), 1)
    return np.concatenate([np.bincount(cells[:, j], minlength=s)[:s] / n for j, s in enumerate(sizes)])


def correlation_features(values: np.ndarray) -> np.ndarray:
    """Upper triangle of the column correlation matrix (0 for constant columns)."""
    k = values.shape[1]
    std = values.std(axis=0)
    centred = (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)
    corr = centred.T @ centred / max(len(values), 1)
    corr[:, std == 0] = 0.0
    corr[std == 0, :] = 0.0
    return corr[np.triu_indices(k, 1)]


def query_features(cells: np.ndarray, target_cells: np.ndarray, values: np.ndarray,
                   target_values: np.ndarray) -> np.ndarray:
    """Fractions of rows matching the target's cell on each column, each pair of columns and all columns; then
    of rows holding the target's exact value on each column, and its exact values on every column at once."""
    match = cells == target_cells[None, :]
    exact = values == target_values[None, :]
    k = match.shape[1]
    singles = match.mean(axis=0)
    pairs = np.array([(match[:, a] & match[:, b]).mean() for a, b in combinations(range(k), 2)])
    return np.concatenate([singles, pairs, [match.all(axis=1).mean()], exact.mean(axis=0),
                           [exact.all(axis=1).mean()]])


def distance_features(dist: np.ndarray) -> np.ndarray:
    """Closest distance, mean of the 5 closest, and the fractions of rows within 0.5, 1 and 2."""
    near = np.sort(dist)[:5]
    return np.array([near[0], near.mean(), (dist <= 0.5).mean(), (dist <= 1.0).mean(), (dist <= 2.0).mean()])


def table_features(domain: Domain, cells: np.ndarray, values: np.ndarray, target_cells: np.ndarray,
                   target_values: np.ndarray, sets: tuple[str, ...] = FEATURE_SETS) -> np.ndarray:
    """The chosen feature sets of one synthetic table (``cells``/``values`` from the domain) for one target."""
    parts = []
    for name in sets:
        if name == "naive":
            parts.append(naive_features(values))
        elif name == "histogram":
            parts.append(histogram_features(cells, domain.sizes))
        elif name == "correlation":
            parts.append(correlation_features(values))
        elif name == "query":
            parts.append(query_features(cells, target_cells, values, target_values))
        elif name == "distance":
            dist = gower_distances(target_values[None, :], values, domain.categorical_mask(), _ranges(domain))[0]
            parts.append(distance_features(dist))
        else:
            raise ValueError(f"unknown feature set {name!r}; known: {FEATURE_SETS}")
    return np.concatenate(parts) if parts else np.zeros(0)


def _ranges(domain: Domain) -> np.ndarray:
    return np.ones(len(domain.columns))  # numeric values are already scaled to [0, 1] by the public range


def baseline_scores(domain: Domain, values: np.ndarray, target_values: np.ndarray,
                    reference: np.ndarray) -> tuple[float, float]:
    """(DCR score, DOMIAS score) of the target against one synthetic table (higher = more likely a member)."""
    cat = domain.categorical_mask()
    ranges = _ranges(domain)
    dist = gower_distances(target_values[None, :], values, cat, ranges)[0]
    syn_nn = gower_distances(values[: min(len(values), 200)], values, cat, ranges)
    np.fill_diagonal(syn_nn, np.inf)  # a row is not its own neighbour (only the leading square block)
    bandwidth = max(float(np.median(syn_nn.min(axis=1))), 1e-3)
    p_syn = log_kernel_density(target_values[None, :], values, cat, ranges, bandwidth)[0]
    p_ref = log_kernel_density(target_values[None, :], reference, cat, ranges, bandwidth)[0]
    return -float(dist.min()), float(p_syn - p_ref)
