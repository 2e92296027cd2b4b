"""Gap attack (Yeom et al., CSF 2018): a record the model classifies correctly is called a member.

score(x, y) = 1 if the target predicts y for x, else 0. Its membership advantage is the generalisation gap
(train accuracy − test accuracy), hence the name; it is the baseline every label-only attack must beat:
an attack that sends many more queries and does no better than this one-query rule adds nothing.

The score takes two values, so the ROC has one interior point, (FPR, TPR) = (share of non-members
classified correctly, share of members classified correctly), and AUC = ½(1 + TPR − FPR). Ties stay ties:
the metrics group equal scores and the AUC counts them ½, never breaking them by row order.
Threat model: labels (also allowed when scores are available; it uses the predicted label only).

>>> from leakpro.attacks.membership.gap import GapAttack
>>> GapAttack().name
'gap'
"""

from __future__ import annotations

import numpy as np

from leakpro.attacks.membership.base import MembershipAttack, register_attack
from leakpro.game.view import AttackerView, ThreatModel


@register_attack
class GapAttack(MembershipAttack):
    name = "gap"
    title = "Gap (correctly classified ⇒ member)"
    paper = "Yeom et al., Privacy Risk in Machine Learning, CSF 2018"
    threat_models = frozenset({ThreatModel.SCORES, ThreatModel.LABELS})

    def scores(self, view: AttackerView) -> np.ndarray:
        c = slice(0, view.n_candidates)
        return (view.oracle.labels(view.features(c)) == view.labels[c]).astype(np.float64)
