"""Membership inference on synthetic data: distance to closest record (DCR) and DOMIAS.

Threat model: the attacker holds SYN and a candidate real record x and asks whether x was in ORI, the
data the generator was fit on. Members are ORI records, non-members CONTROL records; the challenger scores
the attacker with the AUC and its DeLong interval (random guessing: 0.5).

* ``dcr`` (Stadler et al. 2022, "Synthetic data — anonymisation groundhog day"; Chen et al. 2020,
  GAN-Leaks): score = −(Gower distance from x to its closest synthetic record). Generators that copy or
  nearly copy training records put members closer to SYN than non-members.
* ``domias`` (van Breugel et al. 2023, "Membership inference attacks against synthetic data through
  overfitting detection"): score = log p_SYN(x) − log p_REF(x), a density ratio with a reference set of
  real non-members, so records that are merely typical of the population do not look like members.
  Variant: both densities are kernel density estimates with a Laplace kernel ``exp(−d/h)`` on the Gower
  distance (the paper uses Gaussian KDE or a normalising flow on continuous features); the bandwidth ``h``
  is the median nearest-neighbour distance within SYN (chosen from SYN alone, never from membership).
  The reference set is a random half of CONTROL; the evaluated non-members are the other half, so no
  non-member is its own reference.

Exposed records: ORI rows whose score exceeds the 99th percentile of the non-members' scores.

>>> import numpy as np
>>> points = np.array([[0.0], [1.0]])
>>> log_kernel_density(np.array([[0.0]]), points, np.array([False]), np.ones(1), 1.0).round(3)
array([-0.38])
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from scipy.special import logsumexp

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.synthetic.columns import EncodedTables, _step, gower_distances, min_distances, nearest_neighbours
from leakpro.synthetic.results import MembershipResult, membership_result
from leakpro.synthetic.risk import auc_delong

Method = Literal["dcr", "domias"]


def log_kernel_density(
    queries: np.ndarray, points: np.ndarray, categorical: np.ndarray, ranges: np.ndarray, bandwidth: float
) -> np.ndarray:
    """``log mean_j exp(−d(x, p_j) / h)`` for every query (unnormalised Laplace-kernel KDE)."""
    out = np.empty(len(queries), dtype=np.float64)
    step = _step(len(points))
    for start in range(0, len(queries), step):
        d = gower_distances(queries[start : start + step], points, categorical, ranges)
        out[start : start + step] = logsumexp(-d / bandwidth, axis=1) - np.log(len(points))
    return out


def syn_bandwidth(
    syn: np.ndarray, categorical: np.ndarray, ranges: np.ndarray, rng: np.random.Generator, sample: int = 1000
) -> float:
    """Median distance from a SYN record to its nearest *other* SYN record (floored at 1e-3)."""
    rows = rng.choice(len(syn), min(sample, len(syn)), replace=False)
    _, dist = nearest_neighbours(syn[rows], syn, categorical, ranges, 2)
    return max(float(np.median(dist[:, -1])), 1e-3)


class Membership:
    """Membership inference against a synthetic table; see the module docstring."""

    def __init__(self, *, method: Method = "dcr", n_attacks: int = 500, random_state: int = 0) -> None:
        self.method = method
        self.n_attacks = n_attacks
        self.random_state = random_state

    def scores(
        self, tables: EncodedTables, queries: np.ndarray, reference: np.ndarray, bandwidth: float
    ) -> np.ndarray:
        """Membership scores (higher = more likely a member) from SYN and, for DOMIAS, the reference."""
        cat = np.asarray([k.value == "categorical" for k in tables.kinds])
        if self.method == "dcr":
            return -min_distances(queries, tables.syn, cat, tables.ranges)
        p_syn = log_kernel_density(queries, tables.syn, cat, tables.ranges, bandwidth)
        p_ref = log_kernel_density(queries, reference, cat, tables.ranges, bandwidth)
        return p_syn - p_ref

    def run(self, tables: EncodedTables) -> MembershipResult:
        """Score ORI members against CONTROL non-members and report the AUC with its interval."""
        start = time.perf_counter()
        rng = np.random.default_rng(self.random_state)
        control_order = rng.permutation(len(tables.control))
        half = len(control_order) // 2 if self.method == "domias" else len(control_order)
        n = min(self.n_attacks, len(tables.ori), half)
        non_members = np.sort(control_order[:n])
        reference = tables.control[control_order[half:]] if self.method == "domias" else tables.control[:0]
        members = np.sort(rng.choice(len(tables.ori), n, replace=False))
        cat = np.asarray([k.value == "categorical" for k in tables.kinds])
        bandwidth = syn_bandwidth(tables.syn, cat, tables.ranges, rng) if self.method == "domias" else 0.0
        scores = self.scores(
            tables, np.concatenate([tables.ori[members], tables.control[non_members]]), reference, bandwidth
        )
        s_in, s_out = scores[:n], scores[n:]
        auc = auc_delong(s_in, s_out)
        threshold = float(np.quantile(s_out, 0.99))
        exposed = [int(r) for r in members[s_in > threshold]]
        params: dict[str, object] = {"n_attacks": self.n_attacks, "random_state": self.random_state}
        if self.method == "domias":
            params |= {"bandwidth": bandwidth, "reference_size": len(reference)}
        return membership_result(
            variant=self.method,
            params=params,
            auc=auc,
            exposed=exposed,
            findings=_explain(self.method, s_in, s_out, len(exposed)),
            runtime_s=time.perf_counter() - start,
        )


def _explain(method: Method, s_in: np.ndarray, s_out: np.ndarray, n_exposed: int) -> list[str]:
    lines = [f"{n_exposed} of {len(s_in)} ORI records score above the 99th percentile of CONTROL records."]
    if method == "dcr":
        lines.append(
            f"Median distance to the closest synthetic record: ORI {float(np.median(-s_in)):.3g}, CONTROL "
            f"{float(np.median(-s_out)):.3g}; exact copies in SYN: ORI {int((s_in == 0).sum())}, CONTROL "
            f"{int((s_out == 0).sum())}."
        )
    return lines


register_card(AttackCard(
    family="synthetic data", name="membership", title="Membership inference: DCR and DOMIAS",
    paper="Stadler et al., Synthetic Data – Anonymisation Groundhog Day, USENIX Security 2022; van Breugel et al., "
          "Membership Inference Attacks against Synthetic Data through Overfitting Detection (DOMIAS), AISTATS 2023",
    threat_model="the synthetic table, a candidate record and (DOMIAS) real reference records", params=Membership,
    question="was record x in the data the generator was fit on?",
))
