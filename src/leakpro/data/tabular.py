"""The column layout of an encoded table: which features are numeric columns and which one-hot categorical blocks.

Public knowledge, like the architecture: attribute inference and tabular gradient inversion decode a record
column by column with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoricalColumn:
    """One categorical column: its features are ``start:stop`` (one-hot over ``levels``)."""

    name: str
    start: int
    stop: int
    levels: tuple[str, ...]


@dataclass(frozen=True)
class TabularSchema:
    """Which encoded features are numeric columns and which are one-hot blocks of categorical columns."""

    numeric: tuple[str, ...]  # the first len(numeric) features, in this order
    categorical: tuple[CategoricalColumn, ...]

    @property
    def n_features(self) -> int:
        return len(self.numeric) + sum(c.stop - c.start for c in self.categorical)
