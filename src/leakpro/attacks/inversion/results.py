"""Result values of model-inversion and attribute-inference audits (frozen, JSON-serialisable).

Every rate carries a Clopper–Pearson interval and the baseline it must beat: chance for class inversion
(1 / number of classes), imputation from the other columns without the target for attribute inference.
The result classes live in :mod:`leakpro.results.types` (they are part of results.json).
"""

from __future__ import annotations

from leakpro.results.types import AttributeInferenceResult, ClassInversionResult, Interval
from leakpro.stats.intervals import clopper_pearson


def rate(successes: int, trials: int) -> Interval:
    """A success rate with its 95% Clopper–Pearson interval."""
    low, high = clopper_pearson(successes, trials)
    value = successes / trials if trials else 0.0
    return Interval(value=value, low=low, high=high, method="clopper-pearson")


__all__ = ["AttributeInferenceResult", "ClassInversionResult", "rate"]
