"""Result values of model-inversion and attribute-inference audits (frozen, JSON-serialisable).

Every rate carries a Clopper–Pearson interval and the baseline it must beat: chance for class inversion
(1 / number of classes), imputation from the other columns without the target for attribute inference.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from leakpro.results.types import Interval
from leakpro.stats.intervals import clopper_pearson


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def rate(successes: int, trials: int) -> Interval:
    """A success rate with its 95% Clopper–Pearson interval."""
    low, high = clopper_pearson(successes, trials)
    value = successes / trials if trials else 0.0
    return Interval(value=value, low=low, high=high, method="clopper-pearson")


class ClassInversionResult(_Frozen):
    """MI-Face reconstructions of one model, judged by a separately trained evaluation classifier."""

    target: str  # "target" or "null"
    n_classes: int
    restarts: int  # reconstructions per class
    attack_accuracy: Interval  # evaluation classifier agrees with the inverted class (restarts counted as
    # trials; they share a start image up to noise, so the interval is optimistic; see classes_recovered)
    classes_recovered: int  # classes whose majority of restarts the evaluation classifier labels correctly
    chance: float  # 1 / n_classes
    above_chance: bool  # the interval's lower end is above chance
    nearest_private_distance: list[float]  # per class: mean L2 distance to the nearest private image of it
    nearest_public_distance: list[float]  # per class: the same for public (non-member) images, a reference
    evaluator_accuracy: float  # the evaluation classifier's accuracy on public (held-out) images
    png: str | None  # file name of the image grid (classes × restarts), relative to the output folder
    seed: int


class AttributeInferenceResult(_Frozen):
    """Fredrikson-style attribute inference on members and non-members, against imputation."""

    attribute: str
    prior: str  # the attack's prior on the attribute: marginal, imputation or none
    candidates: list[str]  # the values tried
    members: Interval  # attack accuracy on the target's training records
    non_members: Interval
    learned_members: Interval  # the learned attacker (outputs → attribute, fit on population records)
    learned_non_members: Interval
    baseline_members: Interval  # imputation from the other columns (population model, no target access)
    baseline_non_members: Interval
    lift_members: float  # attack − baseline accuracy
    lift_non_members: float
    leaks_beyond_imputation: bool  # members' attack interval lies above both baselines' upper ends
    n_members: int
    n_non_members: int
    seed: int
