"""Reference attack, Attack-R (Ye et al., CCS 2022): per-record difficulty calibration.

score(x) = fraction of OUT reference models (models that did not train on x) whose loss on x is ≥ the
target's loss on x. Ties at equal fractions are broken by the mean gap between the reference losses and
the target's loss. Threat model: scores; needs reference models.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from leakpro.attacks.membership.base import AttackParams, MembershipAttack, register_attack
from leakpro.attacks.membership.population import tie_break
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.signals.math import cross_entropy


class ReferenceParams(AttackParams):
    reference_models: int = Field(8, ge=2, description="reference models (each candidate OUT for about half)")


@register_attack
class ReferenceAttack(MembershipAttack):
    name = "reference"
    title = "Reference (Attack-R)"
    paper = "Ye et al., Enhanced Membership Inference Attacks against Machine Learning Models, CCS 2022"
    threat_models = frozenset({ThreatModel.SCORES})
    Params = ReferenceParams

    def scores(self, view: AttackerView) -> np.ndarray:
        c = slice(0, view.n_candidates)
        ref = view.reference(self.params.reference_models)  # type: ignore[attr-defined]
        y = view.labels[c]
        target_loss = cross_entropy(view.target_logits()[c], y)
        ref_loss = cross_entropy(ref.logits[:, c], y)  # (k, N)
        out = ~ref.trained_on[:, c]
        n_out = out.sum(axis=0)
        if (n_out == 0).any():
            raise ValueError("some candidates have no OUT reference model; use at least 2 reference models")
        frac = ((ref_loss >= target_loss) & out).sum(axis=0) / n_out
        gap = ((ref_loss - target_loss) * out).sum(axis=0) / n_out
        return tie_break(frac, gap)
