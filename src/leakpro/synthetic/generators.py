"""Three simple tabular generators of increasing privacy, for the demo and the tests.

They are deliberately small (numpy/scipy only) and exist to show what the audit catches:

* :class:`NoisyCopy` — ORI's own rows, numeric values jittered, some categories flipped. A "synthetic"
  table that is really the real one: it should leak badly on every attack.
* :class:`GaussianCopula` with ``smooth=False`` — a Gaussian copula over ORI's *empirical* marginals:
  no record is copied, but every output value is an exact ORI value, including rare ones (an outlier's
  exact ``fnlwgt`` or ``capital_gain``, a category held by one person). Univariate singling out catches this.
* :class:`GaussianCopula` with ``smooth=True`` — the same copula over *smoothed* marginals: a value or
  category held by fewer than ``min_count`` ORI records is never emitted (numeric ones are replaced by a
  kernel draw around them, categorical ones by a common category), and numeric columns are clipped to
  ORI's ``[tail, 1 − tail]`` quantiles, so no extreme is copied. It should leak almost nothing.

Each generator stores its settings in ``__init__``, learns in ``fit`` (state ends in ``_``), and
``sample(n)`` returns a DataFrame with ORI's columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from leakpro.synthetic.columns import ColumnKind, infer_column_types


def _is_integer(values: np.ndarray) -> bool:
    return bool(np.all(np.equal(np.mod(values, 1), 0)))


class NoisyCopy:
    """ORI's rows, shuffled; numeric values + Gaussian noise (``noise`` × std, clipped to ORI's range),
    categories replaced with probability ``flip`` by a draw from ORI's column."""

    def __init__(self, *, noise: float = 0.05, flip: float = 0.05, random_state: int = 0) -> None:
        self.noise = noise
        self.flip = flip
        self.random_state = random_state

    def fit(self, frame: pd.DataFrame) -> NoisyCopy:
        """Remember ORI (this generator has nothing to learn)."""
        self.frame_ = frame.reset_index(drop=True)
        self.types_ = infer_column_types(frame)
        return self

    def sample(self, n: int) -> pd.DataFrame:
        """``n`` noisy copies of ORI rows (all rows once before any repeats)."""
        rng = np.random.default_rng(self.random_state)
        rows = np.concatenate([rng.permutation(len(self.frame_)) for _ in range(n // len(self.frame_) + 1)])[
            :n
        ]
        out = self.frame_.iloc[rows].reset_index(drop=True).copy()
        for col, kind in self.types_.items():
            values = out[col].to_numpy()
            if kind == ColumnKind.NUMERIC.value:
                jitter = values + rng.normal(0.0, self.noise * float(np.std(values)) + 1e-12, size=n)
                jitter = np.clip(jitter, float(values.min()), float(values.max()))
                out[col] = np.round(jitter).astype(values.dtype) if _is_integer(values) else jitter
            else:
                flip = rng.random(n) < self.flip
                values = values.astype(object)
                values[flip] = rng.choice(self.frame_[col].to_numpy(dtype=object), size=int(flip.sum()))
                out[col] = values
        return out


class GaussianCopula:
    """Gaussian copula generator; ``smooth`` chooses empirical or smoothed (k-thresholded) marginals."""

    def __init__(
        self, *, smooth: bool = False, min_count: int = 20, tail: float = 0.01, random_state: int = 0
    ) -> None:
        self.smooth = smooth
        self.min_count = min_count
        self.tail = tail
        self.random_state = random_state

    def fit(self, frame: pd.DataFrame) -> GaussianCopula:
        """Learn each column's marginal and the correlation of the normal scores."""
        rng = np.random.default_rng(self.random_state)
        self.columns_ = [str(c) for c in frame.columns]
        self.types_ = infer_column_types(frame)
        self.marginals_: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        scores = np.empty((len(frame), len(self.columns_)))
        for j, col in enumerate(self.columns_):
            values = frame[col].to_numpy()
            if self.types_[col] == ColumnKind.NUMERIC.value:
                values = values.astype(np.float64)
                u = (
                    stats.rankdata(values + rng.uniform(0, 1e-9, len(values)), method="ordinal") - 0.5
                ) / len(values)
                self.marginals_[col] = (np.sort(self._numeric_support(values, rng)), np.array([]))
            else:
                levels, counts = np.unique(values.astype(str), return_counts=True)
                if self.smooth:
                    counts = np.where(counts >= self.min_count, counts, 0)
                    counts = counts if counts.sum() > 0 else np.ones_like(counts)
                cum = np.concatenate([[0.0], np.cumsum(counts) / counts.sum()])
                self.marginals_[col] = (levels, cum)
                code = np.searchsorted(levels, values.astype(str))
                raw_cum = np.concatenate(
                    [[0.0], np.cumsum(np.unique(values.astype(str), return_counts=True)[1])]
                )
                u = (
                    raw_cum[code] + rng.uniform(0, 1, len(values)) * (raw_cum[code + 1] - raw_cum[code])
                ) / len(values)
            scores[:, j] = stats.norm.ppf(np.clip(u, 1e-6, 1 - 1e-6))
        self.corr_ = np.corrcoef(scores, rowvar=False) + 1e-6 * np.eye(len(self.columns_))
        self.integer_ = {
            c: _is_integer(frame[c].to_numpy(dtype=np.float64))
            for c in self.columns_
            if self.types_[c] == ColumnKind.NUMERIC.value
        }
        return self

    def _numeric_support(self, values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Values the marginal draws from: ORI's own values, or a smoothed, clipped stand-in for them."""
        if not self.smooth:
            return values
        _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
        rare = counts[inverse] < self.min_count
        bandwidth = 1.06 * float(np.std(values)) * len(values) ** (-1 / 5) + 1e-12
        out = values.copy()
        out[rare] = values[rare] + rng.normal(0.0, bandwidth, int(rare.sum()))
        lo, hi = np.quantile(values, [self.tail, 1 - self.tail])
        return np.clip(out, lo, hi)

    def sample(self, n: int) -> pd.DataFrame:
        """``n`` synthetic rows: correlated normals → uniforms → each column's inverse marginal."""
        rng = np.random.default_rng(self.random_state + 1)
        z = rng.multivariate_normal(np.zeros(len(self.columns_)), self.corr_, size=n, method="cholesky")
        u = stats.norm.cdf(z)
        out: dict[str, np.ndarray] = {}
        for j, col in enumerate(self.columns_):
            support, cum = self.marginals_[col]
            if self.types_[col] == ColumnKind.NUMERIC.value:
                idx = np.minimum((u[:, j] * len(support)).astype(int), len(support) - 1)
                values = support[idx]
                out[col] = np.round(values).astype(np.int64) if self.integer_[col] else values
            else:
                idx = np.clip(np.searchsorted(cum, u[:, j], side="right") - 1, 0, len(support) - 1)
                out[col] = support[idx].astype(object)
        return pd.DataFrame(out, columns=self.columns_)
