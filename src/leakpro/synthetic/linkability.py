"""Linkability (Giomi et al. 2023, "A unified framework for quantifying privacy risk in synthetic data").

Threat model: the attacker holds SYN and, for some real people, two *disjoint* sets of attributes that
come from two different sources (say, columns A from a hospital and columns B from a bank). They try to
link the two halves: for each half they look up the ``n_neighbors`` nearest synthetic records (Gower
distance: numeric columns scaled by range, categorical 0/1) and declare the halves the same person when
the two neighbour sets share a synthetic record. If SYN reproduces real records, the halves meet through
that record far more often for ORI targets than for CONTROL targets.

Variant: the attack of the paper with k-nearest neighbours and exact-overlap success. The random-guess
baseline draws, for each half, ``n_neighbors`` synthetic records uniformly at random (without replacement)
and succeeds when they overlap. ORI and CONTROL targets are equal-size random samples.

>>> import numpy as np
>>> overlap(np.array([[0, 1], [2, 3]]), np.array([[1, 5], [4, 6]])).tolist()
[True, False]
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.synthetic.columns import EncodedTables, nearest_neighbours
from leakpro.synthetic.results import AttackResult, attack_result


def overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise: do the index sets ``a[i]`` and ``b[i]`` share an element?"""
    return np.asarray((a[:, :, None] == b[:, None, :]).any(axis=(1, 2)))


def random_overlap(n: int, n_syn: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Baseline: two random ``k``-subsets of ``range(n_syn)`` per target; do they overlap?"""
    k = min(k, n_syn)
    a = np.stack([rng.choice(n_syn, k, replace=False) for _ in range(n)]) if n else np.empty((0, k), int)
    b = np.stack([rng.choice(n_syn, k, replace=False) for _ in range(n)]) if n else np.empty((0, k), int)
    return overlap(a, b)


class Linkability:
    """Linkability attack; see the module docstring for the threat model and variant."""

    def __init__(
        self,
        *,
        aux_split: tuple[Sequence[str], Sequence[str]],
        n_attacks: int = 500,
        n_neighbors: int = 1,
        random_state: int = 0,
    ) -> None:
        self.aux_split = aux_split
        self.n_attacks = n_attacks
        self.n_neighbors = n_neighbors
        self.random_state = random_state

    def links(self, tables: EncodedTables, targets: np.ndarray) -> np.ndarray:
        """For each target row (encoded, all columns), whether its two halves meet in SYN."""
        found = []
        for half in self.aux_split:
            cat, ranges = tables.kinds_for(half), tables.ranges_for(half)
            idx, _ = nearest_neighbours(
                tables.select(targets, half), tables.select(tables.syn, half), cat, ranges, self.n_neighbors
            )
            found.append(idx)
        return overlap(found[0], found[1])

    def run(self, tables: EncodedTables) -> AttackResult:
        """Link ORI targets and CONTROL targets through SYN, and guess at random for the baseline."""
        start = time.perf_counter()
        rng = np.random.default_rng(self.random_state)
        n = min(self.n_attacks, len(tables.ori), len(tables.control))
        ori_rows = np.sort(rng.choice(len(tables.ori), n, replace=False))
        control_rows = np.sort(rng.choice(len(tables.control), n, replace=False))
        hits = self.links(tables, np.concatenate([tables.ori[ori_rows], tables.control[control_rows]]))
        ori_hits, control_hits = hits[:n], hits[n:]
        base_hits = random_overlap(n, len(tables.syn), self.n_neighbors, rng)
        a, b = (list(h) for h in self.aux_split)
        findings = [
            f"{int(ori_hits.sum())} of {n} ORI targets were linked across the column sets {a} and "
            f"{b} through SYN, against {int(control_hits.sum())} of {n} CONTROL targets."
        ]
        return attack_result(
            attack="linkability",
            variant=f"k={self.n_neighbors}",
            target=None,
            params={
                "n_attacks": self.n_attacks,
                "n_neighbors": self.n_neighbors,
                "random_state": self.random_state,
                "aux_split": [a, b],
            },
            counts=(int(ori_hits.sum()), int(control_hits.sum()), int(base_hits.sum())),
            trials=(n, n, n),
            exposed=[int(r) for r in ori_rows[ori_hits]],
            findings=findings,
            runtime_s=time.perf_counter() - start,
        )


register_card(AttackCard(
    family="synthetic data", name="linkability", title="Linkability (nearest synthetic neighbours)",
    paper="Giomi et al., A Unified Framework for Quantifying Privacy Risk in Synthetic Data, PoPETs 2023",
    threat_model="the synthetic table and two disjoint sets of a person's columns",
    params=Linkability, question="can two records of one real person be linked through the synthetic table?",
))
