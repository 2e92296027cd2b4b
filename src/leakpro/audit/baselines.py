"""Attacks that declare a baseline (label-only attacks: the gap attack) are compared with it on the same records.

Rule (stated in every result): the attack *beats* its baseline when the 95 % paired DeLong interval of
AUC(attack) − AUC(baseline) lies above 0; *worse* when it lies below 0; otherwise the two are *not
distinguishable*. Only "beats" counts: an attack that sends many queries per record and does not beat the
one-query gap rule adds nothing an auditor should rely on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leakpro.attacks.membership.base import registered_attacks
from leakpro.metrics.compare import paired_auc_difference
from leakpro.results.types import AttackResult, BaselineComparison, Interval


def verdict(low: float, high: float) -> str:
    return "beats" if low > 0 else "worse" if high < 0 else "not distinguishable"


def with_baselines(results: list[AttackResult], scores: pd.DataFrame, members: np.ndarray) -> list[AttackResult]:
    """``results`` with ``versus_baseline`` filled for every attack whose baseline ran on the same target."""
    known = registered_attacks()
    by_name: dict[str, AttackResult] = {}
    for r in results:
        by_name.setdefault(r.attack, r)  # the first run of the baseline attack (it has no variants)
    out = []
    for r in results:
        name = getattr(known.get(r.attack), "baseline", None)
        base = by_name.get(name) if name else None
        if base is None or base.id == r.id:
            out.append(r)
            continue
        d = paired_auc_difference(scores[r.scores_column].to_numpy(), scores[base.scores_column].to_numpy(), members)
        comparison = BaselineComparison(
            baseline=base.id,
            auc_difference=Interval(value=d.difference, low=d.low, high=d.high, confidence=d.confidence,
                                    method="paired delong"),
            verdict=verdict(d.low, d.high),  # type: ignore[arg-type]
        )
        out.append(r.model_copy(update={"versus_baseline": comparison}))
    return out
