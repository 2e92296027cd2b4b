"""A differentially private marginals generator (Laplace mechanism on histograms), and its broken twin.

**Mechanism.** The table is discretised on a *public* :class:`~leakpro.synthetic.domain.Domain` (bins and
levels fixed before the private data are seen). The generator releases m histograms ("marginals"):

* ``structure="chain"`` (default): the 2-way marginals of consecutive columns (c₀,c₁), (c₁,c₂), …, so
  m = k − 1 for k columns (m = 1 for one column), and samples column by column, c_{i+1} given c_i;
* ``structure="independent"``: the k 1-way marginals (m = k), each column drawn on its own.

Every cell of every marginal gets independent Laplace noise of scale b = m / ε.

**Privacy analysis (add/remove-one neighbours, pure ε-DP, δ = 0).** Adding or removing one record changes
exactly one cell of each marginal by exactly 1 (the record's cell; a value outside the public range is
clamped into an edge bin and an unseen category maps to ``<other>``, so every record has exactly one cell).
The concatenated histogram vector therefore has L1 sensitivity Δ₁ = m, and the Laplace mechanism with scale
b = Δ₁/ε is ε-DP (Dwork et al. 2006; equivalently, m marginals each ε/m-DP composed sequentially). Clipping at
0, normalising, conditioning and sampling read only the noisy histograms: post-processing, still ε-DP. The
number of rows sampled is the caller's ``n``, not the data's size (releasing the exact size would not be DP).
Nothing here is tuned on the data: the domain, the structure and the noise scale are fixed in advance.

**Broken variant.** ``noise_multiplier`` scales b. ``noise_multiplier=0.1`` (registered as
``dp_marginals_broken``) keeps the *stated* ε but adds 10× too little noise, so its true guarantee is
ε/0.1 = 10ε: the bug class Annamalai et al. (2024) found in real DP generators. An audit must catch it.

>>> import pandas as pd
>>> pub = pd.DataFrame({"a": ["x", "y"] * 10, "b": [1, 2, 3, 4] * 5})
>>> gen = DPMarginals(epsilon=1.0, domain=Domain.from_frame(pub, bins=2), random_state=0).fit(pub)
>>> gen.scale_, gen.n_marginals_, len(gen.sample(7))
(1.0, 1, 7)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from leakpro.synthetic.domain import Domain

Structure = Literal["chain", "independent"]


def laplace_scale(epsilon: float, n_marginals: int, noise_multiplier: float = 1.0) -> float:
    """The Laplace scale b = m / ε that makes m histograms (L1 sensitivity m) ε-DP, times the multiplier.

    >>> laplace_scale(2.0, 4)
    2.0
    """
    if epsilon <= 0 or n_marginals < 1 or noise_multiplier <= 0:
        raise ValueError("epsilon and noise_multiplier must be positive and n_marginals at least 1")
    return noise_multiplier * n_marginals / epsilon


def marginal_pairs(k: int, structure: Structure) -> list[tuple[int, ...]]:
    """The column tuples whose histograms are released (fixed by ``k`` and ``structure`` alone)."""
    if structure == "independent" or k == 1:
        return [(j,) for j in range(k)]
    return [(j, j + 1) for j in range(k - 1)]


def histogram(cells: np.ndarray, columns: tuple[int, ...], sizes: list[int]) -> np.ndarray:
    """Exact counts of the rows of ``cells`` over ``columns`` (shape: the columns' sizes)."""
    shape = tuple(sizes[j] for j in columns)
    flat = np.ravel_multi_index(tuple(cells[:, j] for j in columns), shape) if len(cells) else np.zeros(0, int)
    return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(np.float64)


class DPMarginals:
    """ε-DP synthetic data from noisy marginals on a public domain; see the module for the analysis.

    The stated guarantee is :attr:`epsilon` with δ = 0 under add/remove-one neighbours, given ``domain``.
    """

    def __init__(self, *, epsilon: float, domain: Domain, structure: Structure = "chain",
                 noise_multiplier: float = 1.0, random_state: int = 0) -> None:
        self.epsilon = epsilon
        self.domain = domain
        self.structure = structure
        self.noise_multiplier = noise_multiplier
        self.random_state = random_state

    @property
    def delta(self) -> float:
        """The stated δ (pure DP: 0)."""
        return 0.0

    def fit(self, frame: pd.DataFrame) -> DPMarginals:
        """Release the noisy marginals of ``frame`` (the only step that reads the data)."""
        rng = np.random.default_rng(np.random.SeedSequence([self.random_state, 0xD9]))
        cells = self.domain.cells(frame)
        sizes = self.domain.sizes
        self.pairs_ = marginal_pairs(len(sizes), self.structure)
        self.n_marginals_ = len(self.pairs_)
        self.scale_ = laplace_scale(self.epsilon, self.n_marginals_, self.noise_multiplier)
        self.noisy_ = [histogram(cells, p, sizes) + rng.laplace(0.0, self.scale_, tuple(sizes[j] for j in p))
                       for p in self.pairs_]
        return self

    def sample(self, n: int) -> pd.DataFrame:
        """``n`` rows drawn from the clipped noisy marginals (post-processing only)."""
        rng = np.random.default_rng(np.random.SeedSequence([self.random_state, 0x5A]))
        tables = [np.clip(t, 0.0, None) for t in self.noisy_]
        k = len(self.domain.columns)
        cells = np.zeros((n, k), dtype=np.int64)
        if self.structure == "independent" or k == 1:
            for j in range(k):
                p = tables[j] if tables[j].sum() > 0 else np.ones_like(tables[j])
                cells[:, j] = rng.choice(len(p), size=n, p=p / p.sum())
        else:
            first = tables[0].sum(axis=1)
            p0 = first if first.sum() > 0 else np.ones_like(first)
            cells[:, 0] = rng.choice(len(p0), size=n, p=p0 / p0.sum())
            for j, table in enumerate(tables):
                rows = table[cells[:, j]]  # (n, |c_{j+1}|): the conditional weights of each sampled row
                totals = rows.sum(axis=1, keepdims=True)
                probs = np.where(totals > 0, rows / np.where(totals > 0, totals, 1.0), 1.0 / rows.shape[1])
                u = rng.random((n, 1))
                cells[:, j + 1] = np.minimum((np.cumsum(probs, axis=1) < u).sum(axis=1), rows.shape[1] - 1)
        return pd.DataFrame({c.name: c.values(cells[:, j], rng) for j, c in enumerate(self.domain.columns)})
