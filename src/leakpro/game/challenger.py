"""The challenger: holds the data, which candidates trained the target (the secret), and scores guesses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leakpro.data.dataset import Dataset


@dataclass(frozen=True)
class MembershipGame:
    """Candidates to score, the secret membership of each, and population records the attacker may use.

    ``candidates`` and ``population`` index ``dataset``. Population records are known non-members of the
    target (data from the same distribution the attacker holds). The attacker's records are the candidates
    followed by the population; it never sees ``members``.
    """

    dataset: Dataset
    candidates: np.ndarray
    members: np.ndarray
    population: np.ndarray

    def __post_init__(self) -> None:
        if self.members.shape != self.candidates.shape or self.members.dtype != bool:
            raise ValueError("members must be a boolean mask with one entry per candidate")
        if np.intersect1d(self.candidates, self.population).size:
            raise ValueError("population records must not be candidates")
        if self.members.all() or not self.members.any():
            raise ValueError(
                "the candidates must include both members and non-members of the target's training data"
            )

    @property
    def records_index(self) -> np.ndarray:
        """Dataset indices of the attacker's records: candidates, then population."""
        return np.r_[self.candidates, self.population].astype(np.int64)

    def attacker_records(self) -> Dataset:
        return self.dataset.subset(self.records_index)

    @property
    def n_candidates(self) -> int:
        return int(self.candidates.size)

    def member_indices(self) -> np.ndarray:
        """Dataset indices of the target's training records among the candidates (challenger only)."""
        return self.candidates[self.members]
