"""The challenger's side of property inference: accuracy on models whose true fraction is known.

One audited target gives one guess, so the attack is judged on ``evaluation_models`` models trained by
the target's recipe on the challenger's own data (disjoint from the attacker's), half at t0 and half at t1;
accuracy carries a Clopper–Pearson interval and is compared with guessing (0.5). The audited target, if
given, is scored too and its P(t1) reported beside its true fraction.
"""

from __future__ import annotations

import time

import numpy as np

from leakpro.attacks.property.ganju import PropertyInference, train_at_fractions
from leakpro.attacks.property.results import PropertyInferenceResult
from leakpro.data.dataset import Dataset
from leakpro.results.types import Interval
from leakpro.stats.intervals import clopper_pearson
from leakpro.targets.protocol import Target


def evaluate_property_inference(attack: PropertyInference, private: Dataset, has_property: np.ndarray, *,
                                property_name: str, evaluation_models: int = 20, target: Target | None = None,
                                target_fraction: float | None = None, seed: int = 1,
                                confidence: float = 0.95) -> PropertyInferenceResult:
    """Train evaluation models at t0/t1 on ``private``, let the fitted attack guess, and score it."""
    if evaluation_models < 2 or evaluation_models % 2:
        raise ValueError("evaluation_models must be even and at least 2 (half at t0, half at t1)")
    start = time.perf_counter()
    models, bits = train_at_fractions(private, has_property, attack.params, evaluation_models, seed)
    guesses = (attack.predict_proba(models) >= 0.5).astype(int)
    correct = int((guesses == bits).sum())
    lo, hi = clopper_pearson(correct, evaluation_models, confidence)
    acc = Interval(value=correct / evaluation_models, low=lo, high=hi, confidence=confidence,
                   method="clopper-pearson")
    p_t1 = float(attack.predict_proba([target])[0]) if target is not None else None
    p = attack.params
    verdict = "tells them apart better than guessing" if lo > 0.5 else "is not shown to beat guessing"
    summary = (f"Told {p.t0:.0%} from {p.t1:.0%} {property_name} correctly for {correct} of {evaluation_models} "
               f"models (accuracy {acc.value:.2f}, {confidence:.0%} interval [{lo:.2f}, {hi:.2f}]): the attack "
               f"{verdict} ({p.access.replace('_', '-')} access).")
    return PropertyInferenceResult(
        title=attack.title, paper=attack.paper, access=p.access, property=property_name, t0=p.t0, t1=p.t1,
        shadow_models=p.shadow_models, evaluation_models=evaluation_models, train_size=p.train_size,
        queries=p.queries if p.access == "black_box" else 0, accuracy=acc, correct=correct,
        baseline=0.5, better_than_chance=lo > 0.5, target_p_t1=p_t1, target_fraction=target_fraction,
        seed=attack.random_state, runtime_s=round(time.perf_counter() - start, 4), summary=summary,
    )
