"""A scikit-learn style estimator (sklearn, XGBoost/LightGBM sklearn API) as a target."""

from __future__ import annotations

from typing import Any

import numpy as np

from leakpro.data.dataset import Features
from leakpro.targets.logits import probs_to_logits


class SklearnTarget:
    """Uses ``predict_proba``; log-probabilities stand in for logits (floored at 1e-30).

    An estimator without ``predict_proba`` (``LinearSVC``, ``SVC(probability=False)``, a pipeline ending in one)
    is a labels-only target: ``predict`` gives its labels and ``logits`` the log of one-hot probabilities, exactly
    what a hard-label API reveals. The audit plan allows such a target under ``threat_model: labels`` only, where
    the attacker sees labels and never the logits.

    >>> from sklearn.svm import LinearSVC
    >>> x, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> target = SklearnTarget(LinearSVC().fit(x, y), n_classes=2)
    >>> target.labels_only, target.predict(x).tolist()
    (True, [0, 0, 1, 1])
    """

    def __init__(self, estimator: Any, n_classes: int) -> None:
        self.estimator = estimator
        self.n_classes = n_classes
        self.labels_only = not hasattr(estimator, "predict_proba")

    def _columns(self, width: int) -> np.ndarray | None:
        """Where the estimator's ``width`` classes sit among the label's (None: in order, all of them).

        An estimator fit on a subset that lacked a class knows fewer classes: its ``classes_`` are the label
        codes it saw.
        """
        if width == self.n_classes:
            return None
        classes = getattr(self.estimator, "classes_", np.arange(width))
        return np.asarray(classes, dtype=np.int64)

    def _proba(self, features: Features) -> np.ndarray:
        if self.labels_only:
            p = np.zeros((len(features), self.n_classes))
            p[np.arange(len(p)), self.predict(features)] = 1.0
            return p
        p = np.asarray(self.estimator.predict_proba(features), dtype=np.float64)
        columns = self._columns(p.shape[1])
        if columns is not None:
            full = np.zeros((p.shape[0], self.n_classes))
            full[:, columns] = p
            p = full
        return p

    def logits(self, features: Features) -> np.ndarray:
        return probs_to_logits(self._proba(features))

    def predict(self, features: Features) -> np.ndarray:
        if not self.labels_only:
            return self._proba(features).argmax(axis=1).astype(np.int64)
        predicted = np.asarray(self.estimator.predict(features))
        classes = getattr(self.estimator, "classes_", None)
        if classes is None:
            return predicted.astype(np.int64)
        classes = np.asarray(classes)
        position = np.searchsorted(classes, predicted)  # sklearn keeps classes_ sorted
        columns = self._columns(len(classes))
        return (position if columns is None else columns[position]).astype(np.int64)

    def describe(self) -> str:
        kind = " (labels only)" if self.labels_only else ""
        return f"{type(self.estimator).__module__.split('.')[0]} {type(self.estimator).__name__}{kind}"
