"""Population attack, Attack-P (Ye et al., CCS 2022).

score(x) = fraction of population records z (known non-members) with loss_θ(z) ≥ loss_θ(x): one global
threshold calibrated on non-members, read as an empirical p-value. Ties between candidates at the same
fraction are broken by the loss itself (a strictly smaller increment than one population step), so the
ranking equals LOSS's and the score keeps its calibrated meaning. Records with equal losses keep equal
scores (a random forest gives thousands of records p = 1): they are ties, whatever the row order.
Threat model: scores.
"""

from __future__ import annotations

import numpy as np

from leakpro.attacks.membership.base import MembershipAttack, register_attack
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.signals.math import cross_entropy


def fraction_at_least(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """For each v, the fraction of ``reference`` that is ≥ v (sort + binary search)."""
    ref = np.sort(reference)
    return (ref.size - np.searchsorted(ref, values, side="left")) / ref.size


def tie_break(fraction: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Order equal fractions by ``key`` (higher key, higher score); equal (fraction, key) stay equal.

    Adds less than half the smallest gap between distinct fractions, so records with different fractions
    keep their order, and the dense rank of ``key``, so equal keys get equal increments: the result
    depends on each record's values only, never on its row.

    >>> s = tie_break(np.array([0.5, 0.5, 0.5, 1.0]), np.array([2.0, 1.0, 2.0, 0.0]))
    >>> bool(s[0] == s[2] > s[1] > 0.5), bool(s[3] > s[0]), float(s[3])
    (True, True, 1.0)
    """
    levels = np.unique(fraction)
    gap = float(np.diff(levels).min()) if levels.size > 1 else 1.0
    distinct, rank = np.unique(key, return_inverse=True)
    return fraction + 0.5 * gap * rank.reshape(fraction.shape) / distinct.size


@register_attack
class PopulationAttack(MembershipAttack):
    name = "population"
    title = "Population (Attack-P)"
    paper = "Ye et al., Enhanced Membership Inference Attacks against Machine Learning Models, CCS 2022"
    threat_models = frozenset({ThreatModel.SCORES})

    def scores(self, view: AttackerView) -> np.ndarray:
        loss = cross_entropy(view.target_logits(), view.labels)
        cand, pop = loss[: view.n_candidates], loss[view.population_slice]
        if pop.size == 0:
            raise ValueError("the population attack needs population records (data.population)")
        return tie_break(fraction_at_least(cand, pop), -cand)
