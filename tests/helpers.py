"""Build user-side files (tables, models, configs) the way an auditor would hand them to LeakPro."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from leakpro.data.adult import load_adult_frame

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


def adult_table(tmp: Path, n: int = 1200, pop: int = 400, seed: int = 0) -> tuple[Path, pd.DataFrame]:
    """A CSV of Adult rows with ``in_training`` (half of the first n) and ``is_population`` columns."""
    rng = np.random.default_rng(seed)
    frame = load_adult_frame("train").sample(n + pop, random_state=seed).reset_index(drop=True)
    frame = frame.drop(columns=["fnlwgt"])
    member = np.zeros(n + pop, dtype=bool)
    member[rng.permutation(n)[: n // 2]] = True
    frame["in_training"] = member
    frame["is_population"] = np.r_[np.zeros(n, bool), np.ones(pop, bool)]
    path = tmp / "people.csv"
    frame.to_csv(path, index=False)
    return path, frame


def write_config(tmp: Path, cfg: dict[str, Any], name: str = "audit.yaml") -> Path:
    path = tmp / name
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path
