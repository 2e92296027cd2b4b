"""A scikit-learn style estimator (sklearn, XGBoost/LightGBM sklearn API) as a target."""

from __future__ import annotations

from typing import Any

import numpy as np

from leakpro.data.dataset import Features
from leakpro.signals.math import probs_to_logits


class SklearnTarget:
    """Uses ``predict_proba``; log-probabilities stand in for logits (floored at 1e-30)."""

    def __init__(self, estimator: Any, n_classes: int) -> None:
        if not hasattr(estimator, "predict_proba"):
            raise TypeError(
                f"{type(estimator).__name__} has no predict_proba; score-based attacks need probabilities "
                "(use threat_model: labels for a label-only estimator)"
            )
        self.estimator = estimator
        self.n_classes = n_classes

    def _proba(self, features: Features) -> np.ndarray:
        p = np.asarray(self.estimator.predict_proba(features), dtype=np.float64)
        classes = getattr(self.estimator, "classes_", np.arange(p.shape[1]))
        if p.shape[1] != self.n_classes:
            # An estimator fit on a subset that lacked a class: put its columns where they belong.
            full = np.zeros((p.shape[0], self.n_classes))
            full[:, np.asarray(classes, dtype=np.int64)] = p
            p = full
        return p

    def logits(self, features: Features) -> np.ndarray:
        return probs_to_logits(self._proba(features))

    def predict(self, features: Features) -> np.ndarray:
        return self._proba(features).argmax(axis=1).astype(np.int64)

    def describe(self) -> str:
        return f"{type(self.estimator).__module__.split('.')[0]} {type(self.estimator).__name__}"
