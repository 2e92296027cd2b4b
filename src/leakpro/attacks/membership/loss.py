"""LOSS attack (Yeom et al., CSF 2018): members have lower loss. score = −loss_θ(x, y).

Threat model: scores. No reference models, no population data.

>>> from leakpro.attacks.membership.loss import LossAttack
>>> LossAttack().name
'loss'
"""

from __future__ import annotations

import numpy as np

from leakpro.attacks.membership.base import MembershipAttack, register_attack
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.signals.math import cross_entropy


@register_attack
class LossAttack(MembershipAttack):
    name = "loss"
    title = "LOSS threshold"
    paper = "Yeom et al., Privacy Risk in Machine Learning, CSF 2018"
    threat_models = frozenset({ThreatModel.SCORES})

    def scores(self, view: AttackerView) -> np.ndarray:
        c = slice(0, view.n_candidates)
        return -cross_entropy(view.target_logits()[c], view.labels[c])
