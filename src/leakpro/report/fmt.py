"""Number formats used everywhere in the report (and by its tests), so a figure reads the same on every page.

>>> pct(0.0530), auc(0.62845), interval_pct(0.0399, 0.0688)
('5.30%', '0.628', '[3.99%, 6.88%]')
"""

from __future__ import annotations

import math
from typing import Any


def pct(value: float | None, digits: int = 2) -> str:
    """A rate as a percentage: 0.053 -> '5.30%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{100.0 * value:.{digits}f}%"


def auc(value: float | None) -> str:
    """An AUC (or any number in [0, 1]) to three decimals: '0.628'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.3f}"


def interval_pct(low: float, high: float, digits: int = 2) -> str:
    """'[3.99%, 6.88%]'."""
    return f"[{pct(low, digits)}, {pct(high, digits)}]"


def interval_auc(low: float, high: float) -> str:
    """'[0.604, 0.652]'."""
    return f"[{auc(low)}, {auc(high)}]"


def level_pct(level: float) -> str:
    """An FPR level as the report names it: 0.1 -> '10%', 0.001 -> '0.1%', 0 -> '0%'."""
    return f"{100.0 * level:g}%"


def count(k: int, n: int) -> str:
    """'53 / 1,000'."""
    return f"{k:,} / {n:,}"


def seconds(value: float) -> str:
    """A duration: '0.66 s', '12.3 s', '2 min 5 s'."""
    if value < 10:
        return f"{value:.2f} s"
    if value < 120:
        return f"{value:.1f} s"
    return f"{int(value // 60)} min {round(value % 60)} s"


def score(value: float) -> str:
    """An attack score: four significant digits."""
    return "—" if math.isnan(value) else f"{value:.4g}"


def db(value: float | None, signed: bool = False) -> str:
    """A PSNR or PSNR difference in decibels: '27.5 dB' ('+16.4 dB' when ``signed``)."""
    if value is None or math.isnan(value):
        return "—"
    return f"{value:+.1f} dB" if signed else f"{value:.1f} dB"


def eps(value: float | None) -> str:
    """A privacy parameter ε: '1.23' ('—' when absent, '∞' when unbounded)."""
    if value is None or math.isnan(value):
        return "—"
    return "∞" if math.isinf(value) else f"{value:.2f}"


def signed(value: float) -> str:
    """A difference of AUCs or rates: '+0.123', '−0.020'."""
    return f"{value:+.3f}".replace("-", "−")


def by_unit(value: float, unit: str) -> str:
    """A threshold in its unit: 'auc' -> '0.650', 'db' -> '10.0 dB', anything else a percentage."""
    return {"auc": auc, "db": db}.get(unit, lambda v: pct(v, 1))(value)


def config_text(value: Any) -> str:
    """A configuration as YAML (as a user writes it), JSON if YAML is not installed."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency of the config loader
        import json

        return json.dumps(value, indent=2, default=str)
    return str(yaml.safe_dump(value, sort_keys=False, default_flow_style=None, width=100))


def plain(value: Any) -> str:
    """Any value as short text (features in the exposure tables)."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


FILTERS = {
    "pct": pct, "auc": auc, "interval_pct": interval_pct, "interval_auc": interval_auc, "level_pct": level_pct,
    "count": count, "seconds": seconds, "score": score, "plain": plain, "db": db, "eps": eps, "signed": signed,
    "by_unit": by_unit,
}
