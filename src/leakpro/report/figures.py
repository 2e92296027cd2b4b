"""Matplotlib figures (Agg backend), returned as ``data:`` URIs of PNG images ready to embed.

ROC curves are drawn on log-log axes with the chance line, because the region that matters for individuals is
the low-FPR corner (Carlini et al. 2022). :class:`Figure` also carries where the axes sit in the image, so the
page's threshold slider can place a marker on the curve without redrawing it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure as MplFigure

TARGET_COLOUR = "#1f5fa8"
NULL_COLOUR = "#8a8f98"
MEMBER_COLOUR = "#c2410c"
NON_MEMBER_COLOUR = "#1f5fa8"
DPI = 150

plt.rcParams.update({
    "font.size": 9, "axes.titlesize": 9.5, "axes.labelsize": 9, "legend.fontsize": 8,
    "axes.spines.top": False, "axes.spines.right": False, "font.family": "DejaVu Sans",
})


@dataclass(frozen=True)
class Figure:
    """An embeddable image with the data-to-image mapping of its main axes (for ROC markers)."""

    uri: str
    alt: str
    geometry: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # a sentence for the caption (e.g. what the axes leave out)


def _encode(fig: MplFigure) -> str:
    """The figure as an RGB PNG (opaque white background, so no alpha channel: WeasyPrint embeds an RGB PNG's
    data as it is, while it decodes an RGBA one and encodes its colour and alpha again, 0.35 s of the demo's PDF).
    """
    from PIL import Image

    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=DPI, facecolor="white")
    width = round(fig.get_figwidth() * DPI)
    height = len(raw.getvalue()) // (4 * width)
    plt.close(fig)
    if width * height * 4 != len(raw.getvalue()):
        raise RuntimeError(f"matplotlib's raw image is not {width} pixels wide")
    image = Image.frombuffer("RGBA", (width, height), raw.getvalue(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", dpi=(DPI, DPI))
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _loglog(values: Sequence[float], floor: float) -> np.ndarray:
    return np.maximum(np.asarray(values, dtype=float), floor)


def roc_figure(target: dict[str, list[float]], null: dict[str, list[float]] | None, *, non_members: int,
               title: str, target_label: str = "audited model", null_label: str = "null control") -> Figure:
    """ROC on log-log axes; the null control's curve dashed beside it, the chance line dotted."""
    floor = 1.0 / max(non_members, 1) / 2
    fig, ax = plt.subplots(figsize=(4.0, 2.75))
    fig.subplots_adjust(left=0.16, right=0.96, bottom=0.17, top=0.97)
    grid = np.geomspace(floor, 1.0, 50)
    ax.plot(grid, grid, ":", color="#444444", lw=1, label="chance (no leakage)")
    if null is not None:
        ax.step(_loglog(null["fpr"], floor), _loglog(null["tpr"], floor), where="post", color=NULL_COLOUR,
                ls="--", lw=1.2, label=null_label)
    ax.step(_loglog(target["fpr"], floor), _loglog(target["tpr"], floor), where="post", color=TARGET_COLOUR,
            lw=1.8, label=target_label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(floor, 1.0)
    ax.set_ylim(floor, 1.0)
    # no minor ticks: on log axes matplotlib builds eight per decade on each axis, which was most of the
    # report's rendering time (12 ROC figures took 9 s of a 15 s HTML render); the major grid stays
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlabel("false-positive rate (non-members flagged)")
    ax.set_ylabel("true-positive rate (members found)")
    ax.grid(True, which="major", color="#e5e7eb", lw=0.6)
    ax.legend(loc="lower right", frameon=False)
    box = ax.get_position()
    geometry = {"x0": box.x0, "y0": box.y0, "w": box.width, "h": box.height, "floor": floor, "log": True}
    return Figure(_encode(fig), f"ROC curve of {title} on log-log axes with the chance line", geometry)


def score_histogram(members: np.ndarray, non_members: np.ndarray, *, title: str,
                    threshold: float | None, threshold_label: str) -> Figure:
    """Overlaid histograms of members' and non-members' scores; the low-FPR threshold as a vertical line."""
    both = np.r_[members, non_members]
    lo, hi = np.quantile(both, [0.005, 0.995])
    clipped = bool(lo > both.min() or hi < both.max())
    if hi <= lo:
        lo, hi = float(both.min()) - 0.5, float(both.max()) + 0.5
    bins = np.linspace(lo, hi, 41)
    fig, ax = plt.subplots(figsize=(4.0, 2.75))
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.17, top=0.97)
    kw: dict[str, Any] = {"bins": bins, "histtype": "stepfilled", "alpha": 0.35, "density": True}
    ax.hist(np.clip(non_members, lo, hi), color=NON_MEMBER_COLOUR, label="non-members", **kw)
    ax.hist(np.clip(members, lo, hi), color=MEMBER_COLOUR, label="members", **kw)
    kw.update(histtype="step", alpha=1.0, lw=1.2)
    ax.hist(np.clip(non_members, lo, hi), color=NON_MEMBER_COLOUR, **kw)
    ax.hist(np.clip(members, lo, hi), color=MEMBER_COLOUR, **kw)
    if threshold is not None and lo <= threshold <= hi:
        ax.axvline(threshold, color="#111827", lw=1, ls="--", label=threshold_label)
    ax.set_xlabel("attack score (higher = more likely member)")
    ax.set_ylabel("share of records (density)")
    ax.set_yticks([])
    ax.legend(loc="upper left", frameon=True, framealpha=0.85, edgecolor="none")
    note = "The axis shows the central 99 % of scores; the rest are drawn at its ends." if clipped else ""
    return Figure(_encode(fig), f"score distributions of members and non-members for {title}", note=note)


Triple = tuple[float, float, float]  # (value, low, high)


@dataclass(frozen=True)
class Panel:
    """One panel of the comparison figure: a figure per attack with its interval, for target and null."""

    xlabel: str
    target: Sequence[Triple]
    null: Sequence[Triple] | None
    chance: float
    log: bool = False


def _panel(ax: Any, y: np.ndarray, panel: Panel, target_label: str) -> None:
    rows = [(panel.target, y + (0.17 if panel.null else 0.0), TARGET_COLOUR, target_label, "o")]
    if panel.null:
        rows.append((panel.null, y - 0.17, NULL_COLOUR, "null control", "s"))
    for values, ys, colour, label, marker in rows:
        v = np.array(values, dtype=float).reshape(-1, 3)
        if panel.log:
            v = np.maximum(v, 1e-4)
        ax.errorbar(v[:, 0], ys, xerr=[v[:, 0] - v[:, 1], v[:, 2] - v[:, 0]], fmt=marker, color=colour,
                    ms=3.5, capsize=2, lw=1, label=label)
    ax.axvline(panel.chance, color="#444444", ls=":", lw=1, label="chance")
    if panel.log:
        ax.set_xscale("log")
    ax.set_xlabel(panel.xlabel)
    ax.grid(True, axis="x", color="#e5e7eb", lw=0.6)


def comparison_figure(labels: Sequence[str], panels: Sequence[Panel], *,
                      target_label: str = "audited model") -> Figure:
    """Point estimates with intervals, one row per attack and one panel per figure, target beside null."""
    n = len(labels)
    height = 1.0 + 0.24 * n
    fig, axes = plt.subplots(1, len(panels), figsize=(7.4, height), sharey=True, squeeze=False)
    fig.subplots_adjust(left=0.25, right=0.98, bottom=0.62 / height, top=1 - 0.42 / height, wspace=0.08)
    y = np.arange(n)[::-1].astype(float)
    for ax, panel in zip(axes[0], panels, strict=True):
        _panel(ax, y, panel, target_label)
    axes[0][0].set_yticks(y)
    axes[0][0].set_yticklabels(labels)
    axes[0][0].set_ylim(-0.6, n - 0.4)
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncol=len(names), frameon=False, bbox_to_anchor=(0.59, 1.0))
    return Figure(_encode(fig), "comparison across attacks: " + "; ".join(p.xlabel for p in panels))


ROLE_COLOURS = {"target": TARGET_COLOUR, "null": NULL_COLOUR, "defence": "#15803d"}


@dataclass(frozen=True)
class RiskPoint:
    """One target or variant on the risk–utility plot: test accuracy against a rate with its interval."""

    label: str
    role: str
    utility: float
    risk: Triple


_OFFSETS = ((6, 3, "left"), (6, -10, "left"), (-6, 3, "right"), (-6, -10, "right"), (6, 12, "left"))


def _label_points(ax: Any, placed: Sequence[tuple[str, float, float]], span: float) -> None:
    """Label each point; a point close to one already labelled gets its label on another side."""
    done: list[tuple[float, float, int]] = []
    for label, x, y in placed:
        near = {k for px, py, k in done if abs(px - x) < 0.06 * span and abs(np.log10(py / y)) < 0.3}
        k = next((i for i in range(len(_OFFSETS)) if i not in near), 0)
        dx, dy, align = _OFFSETS[k]
        ax.annotate(label, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=7.5, color="#111827",
                    ha=align)
        done.append((x, y, k))


def risk_utility_figure(points: Sequence[RiskPoint], *, chance: float, ylabel: str) -> Figure:
    """Utility (x) against risk (y, log scale, with intervals): one labelled point per target or variant."""
    floor = chance / 10
    fig, ax = plt.subplots(figsize=(6.4, 3.3))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.97)
    placed: list[tuple[str, float, float]] = []
    for role, name in (("target", "audited model"), ("defence", "defended variant"), ("null", "null control")):
        mine = [p for p in points if p.role == role]
        if not mine:
            continue
        v = np.maximum(np.array([p.risk for p in mine], dtype=float), floor)
        x = np.array([p.utility for p in mine], dtype=float)
        ax.errorbar(x, v[:, 0], yerr=[v[:, 0] - v[:, 1], v[:, 2] - v[:, 0]], fmt="o", ms=5, capsize=3, lw=1,
                    color=ROLE_COLOURS.get(role, TARGET_COLOUR), label=name)
        placed += [(p.label, float(xi), float(yi)) for p, xi, yi in zip(mine, x, v[:, 0], strict=True)]
    ax.axhline(chance, color="#444444", ls=":", lw=1, label="chance (no leakage)")
    ax.set_yscale("log")
    ax.set_ylim(floor, 1.0)
    xs = [p.utility for p in points]
    pad = max(0.02, (max(xs) - min(xs)) * 0.25) if xs else 0.05
    ax.set_xlim(max(0.0, min(xs, default=0.5) - pad), min(1.0, max(xs, default=0.5) + 2 * pad))
    _label_points(ax, placed, span=max(xs, default=1.0) - min(xs, default=0.0) + 2 * pad)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
    ax.set_xlabel("utility: test accuracy (higher is better)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", color="#e5e7eb", lw=0.6)
    ax.legend(loc="upper left", frameon=True, framealpha=0.85, edgecolor="none", fontsize=7.5)
    return Figure(_encode(fig), "risk against utility: one point per target and defended variant, with intervals")


@dataclass(frozen=True)
class CurveSeries:
    """One curve with its interval band: y (value, low, high) at each x."""

    label: str
    x: Sequence[float]
    y: Sequence[Triple]
    colour: str


def extraction_figure(series: Sequence[CurveSeries], references: Sequence[tuple[str, float, str]]) -> Figure:
    """Rates against the number of queries (log x), with interval bands and horizontal reference lines."""
    fig, ax = plt.subplots(figsize=(6.4, 2.7))
    fig.subplots_adjust(left=0.11, right=0.97, bottom=0.17, top=0.97)
    for s in series:
        v = np.array(s.y, dtype=float).reshape(-1, 3)
        ax.fill_between(s.x, v[:, 1], v[:, 2], color=s.colour, alpha=0.18, lw=0)
        ax.plot(s.x, v[:, 0], "o-", color=s.colour, ms=3.5, lw=1.5, label=s.label)
    for label, y, style in references:
        ax.axhline(y, color="#444444", ls=style, lw=1, label=label)
    if series and max(series[0].x) > 4 * min(series[0].x) > 0:
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    if series:
        ax.set_xticks(list(series[0].x), [f"{int(q):,}" for q in series[0].x])
    ax.set_xlabel("queries spent by the attacker")
    ax.set_ylabel("share of held-out inputs")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.grid(True, which="major", color="#e5e7eb", lw=0.6)
    ax.legend(loc="lower right", frameon=True, framealpha=0.85, edgecolor="none", fontsize=7.5)
    return Figure(_encode(fig), "extraction curve: fidelity and accuracy of the stolen copy against queries")
