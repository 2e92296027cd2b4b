"""What a report is drawn from: ``results.json``, the per-target scores files, and optional record features.

The dataset rows behind record indices are found by a *frame provider*: a function from the audit result to a
table indexed like the dataset (row ``i`` is record ``i``), or ``None`` when the rows are not available. The
default provider knows LeakPro's built-in datasets; pass another to :func:`load_inputs` for your own data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from leakpro.results.types import AuditResult, TargetResult

FrameProvider = Callable[[AuditResult], "pd.DataFrame | None"]

SYNTHETIC_RESULTS_FILE = "synthetic_results.json"


def builtin_frame(result: AuditResult) -> pd.DataFrame | None:
    """The rows of a built-in dataset (``data: {builtin: NAME}``), else ``None``."""
    from leakpro.data.registry import builtin_datasets

    data = result.config.get("data") or {}
    name = data.get("builtin") if isinstance(data, dict) else None
    entry = builtin_datasets().get(str(name)) if name else None
    if entry is None:
        return None
    frame = entry.load().frame
    return frame if isinstance(frame, pd.DataFrame) else None


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report reads; nothing here is computed from anything but these files."""

    results_path: Path
    result: AuditResult
    scores: dict[str, pd.DataFrame]  # target name -> its scores table
    frame: pd.DataFrame | None
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)  # e.g. "synthetic" -> its JSON

    def target_scores(self, target: TargetResult) -> pd.DataFrame:
        """Scores table of ``target``."""
        return self.scores[target.name]


def read_scores(path: Path) -> pd.DataFrame:
    """One scores CSV: ``record``, ``member`` (bool), ``label``, then one column per attack id."""
    if not path.is_file():
        raise FileNotFoundError(f"scores file {path} named in results.json is missing")
    table = pd.read_csv(path)
    missing = {"record", "member"} - set(table.columns)
    if missing:
        raise ValueError(f"scores file {path} lacks the column(s) {sorted(missing)}")
    member = table["member"]
    if member.dtype != bool:
        member = member.astype(str).str.lower().map({"true": True, "false": False, "1": True, "0": False})
        if member.isna().any():
            raise ValueError(f"scores file {path}: column 'member' must hold true/false")
        table["member"] = member.astype(bool)
    return table


def load_inputs(results_json: Path, frame_provider: FrameProvider | None = builtin_frame) -> ReportInputs:
    """Read ``results_json``, every target's scores file, and any known sibling result (synthetic)."""
    results_json = Path(results_json)
    result = AuditResult.model_validate_json(results_json.read_text(encoding="utf-8"))
    base = results_json.parent
    scores: dict[str, pd.DataFrame] = {}
    for target in result.targets:
        table = read_scores(base / target.scores_file)
        absent = [a.scores_column for a in target.attacks if a.scores_column not in table.columns]
        if absent:
            raise ValueError(f"scores file {target.scores_file} lacks the attack column(s) {absent}")
        scores[target.name] = table
    frame = frame_provider(result) if frame_provider is not None else None
    extras: dict[str, dict[str, Any]] = {}
    synthetic = base / SYNTHETIC_RESULTS_FILE
    if synthetic.is_file():
        extras["synthetic"] = json.loads(synthetic.read_text(encoding="utf-8"))
    return ReportInputs(results_json, result, scores, frame, extras)
