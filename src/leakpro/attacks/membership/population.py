"""Population attack, Attack-P (Ye et al., CCS 2022).

score(x) = fraction of population records z (known non-members) with loss_θ(z) ≥ loss_θ(x): one global
threshold calibrated on non-members, read as an empirical p-value. Ties between candidates at the same
fraction are broken by the loss itself (a strictly smaller increment than one population step), so the
ranking equals LOSS's and the score keeps its calibrated meaning. Threat model: scores.
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


def tie_break(fraction: np.ndarray, key: np.ndarray, step: float) -> np.ndarray:
    """Add < one ``step`` of a rank of ``key`` so equal fractions are ordered by ``key`` (higher first)."""
    ranks = np.argsort(np.argsort(key, kind="mergesort"), kind="mergesort")
    return fraction + step * 0.5 * ranks / max(key.size, 1)


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
        return tie_break(fraction_at_least(cand, pop), -cand, 1.0 / pop.size)
