"""Shared Adult samples for the synthetic-data tests: disjoint ORI, CONTROL and a third real sample."""

from __future__ import annotations

import pandas as pd
import pytest

from leakpro.data.adult import load_adult_frame


@pytest.fixture(scope="session")
def adult_parts() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """ORI, CONTROL and OTHER: disjoint random samples of 1,500 Adult rows each."""
    table = load_adult_frame("all").sample(frac=1.0, random_state=123).reset_index(drop=True)
    n = 1500
    return tuple(table.iloc[i * n : (i + 1) * n].reset_index(drop=True) for i in range(3))  # type: ignore[return-value]
