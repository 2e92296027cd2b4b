"""Pure functions on a scores table: operating points for the slider, and who is most exposed.

Both are computed from the per-record scores file (the challenger's secret ``member`` column included), with
the ROC definition used everywhere in LeakPro (:func:`leakpro.metrics.roc.roc_curve`: a record is called a
member when its score is at least the threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leakpro.metrics.roc import roc_curve
from leakpro.results.types import AttackResult


def slider_points(scores: np.ndarray, members: np.ndarray, points: int = 240,
                  keep: Sequence[float | None] = ()) -> dict[str, Any]:
    """Operating points for the threshold slider: thresholds with the counts behind TPR and FPR.

    At most ``points`` thresholds (plus both ends), chosen evenly in log-FPR and in FPR so that the slider
    moves smoothly both near the origin and across the whole curve. Thresholds go from strictest (nobody
    flagged, ``None``) to loosest (everybody flagged). Thresholds in ``keep`` (e.g. the operating points of
    results.json) are always among them.
    """
    roc = roc_curve(scores, members)
    n = roc.thresholds.size
    if n > points:
        fpr = roc.fpr
        lo = 1.0 / max(roc.negatives, 1)
        grid = np.r_[0.0, np.geomspace(lo, 1.0, points // 2), np.linspace(0.0, 1.0, points // 2)]
        idx = np.searchsorted(fpr, np.unique(grid), side="right") - 1
        kept = [_nearest(roc.thresholds, t) for t in keep if t is not None]
        idx = np.unique(np.r_[0, np.clip(idx, 0, n - 1), kept, n - 1]).astype(np.int64)
    else:
        idx = np.arange(n)
    thresholds = [None if not np.isfinite(t) else float(t) for t in roc.thresholds[idx]]
    return {
        "threshold": thresholds,
        "tp": roc.tp[idx].tolist(),
        "fp": roc.fp[idx].tolist(),
        "members": roc.positives,
        "non_members": roc.negatives,
    }


def as_stored(threshold: float) -> float:
    """A threshold rounded as the scores files store scores (10 significant digits), for comparisons."""
    return float(f"{threshold:.10g}")


def _nearest(values: np.ndarray, value: float) -> int:
    finite = np.where(np.isfinite(values), values, np.nan)
    return int(np.nanargmin(np.abs(finite - as_stored(value))))


def nearest_index(points: dict[str, Any], threshold: float | None) -> int:
    """Index of the slider point at ``threshold`` (the strictest point for ``None``)."""
    values = points["threshold"]
    if threshold is None:
        return 0
    finite = [(i, t) for i, t in enumerate(values) if t is not None]
    return min(finite, key=lambda it: abs(it[1] - as_stored(threshold)))[0]


def flag_rate(column: np.ndarray, negatives: np.ndarray) -> np.ndarray:
    """For each score: the fraction of non-members scoring at least as high (its false-alarm cost)."""
    neg = np.sort(negatives)
    return (neg.size - np.searchsorted(neg, column, side="left")) / max(neg.size, 1)


@dataclass(frozen=True)
class ExposedRecord:
    """One record an attack ranks high."""

    rank: int
    record: int
    member: bool
    label: Any
    score: float
    flag_rate: float  # fraction of non-members scoring at least as high
    attacks_flagging: int = 0


def top_exposed(table: pd.DataFrame, column: str, k: int) -> list[ExposedRecord]:
    """The ``k`` records with the highest scores in ``column`` (ties by record index)."""
    s = table[column].to_numpy(dtype=float)
    member = table["member"].to_numpy(dtype=bool)
    rates = flag_rate(s, s[~member])
    records = table["record"].to_numpy(dtype=np.int64)
    order = np.lexsort((records, -s))[:k]
    labels = table["label"].to_numpy() if "label" in table.columns else np.full(len(table), None)
    return [
        ExposedRecord(rank=i + 1, record=int(records[j]), member=bool(member[j]),
                      label=_plain(labels[j]), score=float(s[j]), flag_rate=float(rates[j]))
        for i, j in enumerate(order)
    ]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def flagged_counts(table: pd.DataFrame, attacks: list[AttackResult], fpr_level: float) -> np.ndarray:
    """Per record: how many attacks flag it at their own threshold for FPR ≤ ``fpr_level`` (results.json)."""
    counts = np.zeros(len(table), dtype=np.int64)
    for attack in attacks:
        op = next((p for p in attack.tpr_at_fpr if abs(p.fpr_level - fpr_level) < 1e-12), None)
        if op is None or op.threshold is None:
            continue
        flagged = table[attack.scores_column].to_numpy(dtype=float) >= as_stored(op.threshold)
        counts += flagged.astype(np.int64)
    return counts


def most_exposed_members(table: pd.DataFrame, attacks: list[AttackResult], fpr_level: float,
                         k: int) -> list[ExposedRecord]:
    """Members flagged by the most attacks at FPR ≤ ``fpr_level``; ties broken by mean flag rate."""
    counts = flagged_counts(table, attacks, fpr_level)
    member = table["member"].to_numpy(dtype=bool)
    rates = np.zeros(len(table))
    for attack in attacks:
        s = table[attack.scores_column].to_numpy(dtype=float)
        rates += flag_rate(s, s[~member]) / max(len(attacks), 1)
    idx = np.flatnonzero(member & (counts > 0))
    idx = idx[np.lexsort((rates[idx], -counts[idx]))][:k]
    labels = table["label"].to_numpy() if "label" in table.columns else np.full(len(table), None)
    records = table["record"].to_numpy(dtype=np.int64)
    return [
        ExposedRecord(rank=i + 1, record=int(records[j]), member=True, label=_plain(labels[j]),
                      score=float("nan"), flag_rate=float(rates[j]), attacks_flagging=int(counts[j]))
        for i, j in enumerate(idx)
    ]
