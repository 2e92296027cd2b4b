"""Reference-free LM membership attacks: LOSS, zlib ratio, Min-K%, Min-K%++ (one score per text, higher ⇒ member).

All read only the target's per-token signals (:mod:`leakpro.signals.lm` holds the maths); ``k`` is fixed before
the audit (0.2, as the papers recommend), never tuned on the membership labels.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from leakpro.attacks.llm.base import LMAttack, LMAttackParams, LMView, register_lm_attack
from leakpro.signals.lm import mean_log_prob, min_k, min_k_plus_plus, zlib_ratio


class MinKParams(LMAttackParams):
    k: float = Field(0.2, gt=0, le=1, description="fraction of each text's lowest-scoring tokens")


@register_lm_attack
class LossAttack(LMAttack):
    """LOSS / perplexity (Yeom et al. 2018; Carlini et al. 2021): the mean token log-probability."""

    name = "loss"
    title = "LOSS (perplexity)"
    paper = "Yeom et al. 2018; Carlini et al. 2021"

    def scores(self, view: LMView) -> np.ndarray:
        return mean_log_prob(view.target)


@register_lm_attack
class ZlibAttack(LMAttack):
    """zlib ratio (Carlini et al. 2021): the loss relative to the text's zlib entropy, so easy texts do not pass."""

    name = "zlib"
    title = "zlib ratio"
    paper = "Carlini et al. 2021"

    def scores(self, view: LMView) -> np.ndarray:
        return zlib_ratio(view.target, view.texts)


@register_lm_attack
class MinKAttack(LMAttack):
    """Min-K% (Shi et al. 2024): the mean of the k% least likely tokens."""

    name = "min_k"
    title = "Min-K%"
    paper = "Shi et al. 2024"
    Params: ClassVar[type[LMAttackParams]] = MinKParams

    def scores(self, view: LMView) -> np.ndarray:
        return min_k(view.target, float(self.params.k))  # type: ignore[attr-defined]


@register_lm_attack
class MinKPlusPlusAttack(LMAttack):
    """Min-K%++ (Zhang et al. 2024): per-token log-probability standardised by the next-token distribution."""

    name = "min_k_plus_plus"
    title = "Min-K%++"
    paper = "Zhang et al. 2024"
    Params: ClassVar[type[LMAttackParams]] = MinKParams

    def scores(self, view: LMView) -> np.ndarray:
        return min_k_plus_plus(view.target, float(self.params.k))  # type: ignore[attr-defined]
