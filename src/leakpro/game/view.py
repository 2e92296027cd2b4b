"""What an attacker may see: the records, query access allowed by the threat model, its own models."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from leakpro.data.dataset import Dataset, Features, n_rows, take
from leakpro.targets.protocol import Target


class ThreatModel(StrEnum):
    SCORES = "scores"  # the API returns probabilities / logits
    LABELS = "labels"  # the API returns the predicted label only


class ThreatModelViolation(PermissionError):
    """An attack asked for more than its threat model reveals (a bug in the attack, never ignored)."""


class QueryOracle:
    """Query access to the target, restricted by the threat model, counting every record queried."""

    def __init__(self, target: Target, threat_model: ThreatModel) -> None:
        self._target = target
        self.threat_model = threat_model
        self.n_classes = target.n_classes
        self.queries = 0

    def logits(self, features: Features) -> np.ndarray:
        if self.threat_model is not ThreatModel.SCORES:
            raise ThreatModelViolation(f"threat model {self.threat_model.value!r} does not reveal scores")
        self.queries += n_rows(features)
        return self._target.logits(features)

    def labels(self, features: Features) -> np.ndarray:
        self.queries += n_rows(features)
        return self._target.predict(features)


@dataclass(frozen=True)
class ReferenceSignals:
    """Outputs of k reference models on the attacker's records and which records each model trained on."""

    logits: np.ndarray  # (k, R, C)
    trained_on: np.ndarray  # (k, R) bool
    augmented: np.ndarray | None = None  # (k, A, R, C) on each of the data's augmentations, index 0 = identity


@dataclass
class AttackerView:
    """Everything one attack may use. Records are candidates then population (known non-members)."""

    threat_model: ThreatModel
    records: Dataset
    n_candidates: int
    oracle: QueryOracle
    reference_source: Callable[[int], ReferenceSignals]
    seed: int
    _target_logits: np.ndarray | None = field(default=None, repr=False)
    _target_augmented: np.ndarray | None = field(default=None, repr=False)

    @property
    def labels(self) -> np.ndarray:
        return self.records.labels

    @property
    def population_slice(self) -> slice:
        return slice(self.n_candidates, len(self.records))

    def features(self, which: slice | np.ndarray) -> Features:
        idx = np.arange(len(self.records))[which]
        return take(self.records.features, idx)

    def target_logits(self) -> np.ndarray:
        """The target's logits on all attacker records, queried once and shared (scores threat model)."""
        if self._target_logits is None:
            self._target_logits = self.oracle.logits(self.records.features)
        return self._target_logits

    def target_augmented_logits(self) -> np.ndarray | None:
        """(A, R, C) target logits on each augmentation of the records, or None without augmentations."""
        if not self.records.augmentations:
            return None
        if self._target_augmented is None:
            from leakpro.data.augment import apply_augmentation

            x = self.records.features
            if not isinstance(x, np.ndarray):
                raise ValueError("augmented queries need numeric (image) features")
            self._target_augmented = np.stack([
                self.target_logits() if a == "identity" else self.oracle.logits(apply_augmentation(x, a))
                for a in self.records.augmentations
            ])
        return self._target_augmented

    def reference(self, k: int) -> ReferenceSignals:
        """Signals of the first ``k`` reference models (trained once per audit, shared by every attack)."""
        return self.reference_source(k)
