"""View models of the federated section: one per reconstruction outcome, the sweep grid, the curious client.

Every figure is read from ``federated_results.json``; the PNG grids it names are embedded as ``data:`` URIs after
checking that they are PNG files inside the results directory.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from pathlib import Path

from leakpro.federated.results import ClientMiaOutcome, ReconstructionOutcome
from leakpro.report import fmt
from leakpro.report.risk import MEMBERSHIP_THRESHOLDS, RECONSTRUCTION_THRESHOLDS, Assessment, assess

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_HEIGHT_PX = 170  # display height of a grid (CSS px: about 45 mm in the PDF)

ATTACK_NAMES = {
    "dlg": "DLG", "idlg": "iDLG", "inverting_gradients": "Inverting Gradients",
    "tabular_inversion": "Tabular inversion", "client_mia": "Curious-client membership inference",
}


def attack_name(attack: str) -> str:
    """'inverting_gradients' -> 'Inverting Gradients'."""
    return ATTACK_NAMES.get(attack, attack.replace("_", " "))


@dataclass(frozen=True)
class Embedded:
    """A PNG as a ``data:`` URI with its display width (CSS px) at :data:`IMAGE_HEIGHT_PX`."""

    uri: str
    width: int


def embed_png(base: Path, relative: str, source: str = "the federated results") -> Embedded:
    """The PNG ``base / relative``, embedded; it must lie inside ``base`` and be a PNG file."""
    root = base.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"image {relative!r} named in {source} lies outside {root}")
    if not path.is_file():
        raise FileNotFoundError(f"image {path} named in {source} is missing")
    data = path.read_bytes()
    if not data.startswith(PNG_MAGIC) or len(data) < 24 or len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"image {path} is not a PNG file of at most {MAX_IMAGE_BYTES:,} bytes")
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return Embedded(uri, round(IMAGE_HEIGHT_PX * width / max(height, 1)))


@dataclass(frozen=True)
class OutcomeView:
    """One reconstruction outcome with its baseline, gain, verdict, level and image."""

    outcome: ReconstructionOutcome
    name: str
    tabular: bool
    quality: float | None  # mean PSNR (dB), or mean per-column accuracy
    baseline: float | None  # the best population baseline in the same unit
    gain: float | None
    leaks: bool  # the federated audit's own verdict (beats the best baseline by its margin)
    assessment: Assessment | None
    image: Embedded | None  # the PNG grid

    @property
    def caption(self) -> str:
        """'Inverting Gradients · batch 4 · 1 local step · no defence'."""
        s = self.outcome.setting
        steps = f"{s.local_steps} local step{'s' if s.local_steps != 1 else ''}"
        defence = "no defence" if s.defence == "none" else s.defence
        return f"{self.name} · batch {s.batch_size} · {steps} · {defence}"


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _image_gain(o: ReconstructionOutcome) -> tuple[float, float, list[float]] | None:
    """(mean PSNR, best baseline, per-record gains) for image outcomes."""
    if o.mean_psnr is None or o.baseline_mean_image_psnr is None:
        return None
    best = max(o.baseline_mean_image_psnr, o.baseline_random_image_psnr or o.baseline_mean_image_psnr)
    gains = [p - best for p in o.psnr] or [o.mean_psnr - best]
    return o.mean_psnr, best, gains


def _column_gain(o: ReconstructionOutcome) -> tuple[float, float, list[float]] | None:
    """(mean column accuracy, mean majority baseline, per-column gains) for tabular outcomes."""
    acc, base = o.column_accuracy, o.baseline_column_accuracy
    if not acc or not base:
        return None
    gains = [v - base[k] for k, v in acc.items() if k in base]
    return _mean(list(acc.values())), _mean(list(base.values())), gains


def outcome_view(o: ReconstructionOutcome, base: Path) -> OutcomeView:
    """Baseline, gain, level (range over records or columns) and embedded grid of one outcome."""
    tabular = o.column_accuracy is not None
    found = _column_gain(o) if tabular else _image_gain(o)
    assessment = None
    quality = baseline = gain = None
    if found is not None:
        quality, baseline, gains = found
        figure = "column_gain" if tabular else "psnr_gain"
        unit = "column" if tabular else "record"
        gain = quality - baseline
        assessment = assess(RECONSTRUCTION_THRESHOLDS, {figure: gain}, {figure: min(gains)}, {figure: max(gains)},
                            o.attack, gain, f"over {len(gains)} {unit}{'s' if len(gains) != 1 else ''}")
    image = embed_png(base, o.image) if o.image else None
    return OutcomeView(o, attack_name(o.attack), tabular, quality, baseline, gain, o.beats_baseline, assessment,
                       image)


def evidence(view: OutcomeView) -> str:
    """Page one's deciding evidence for a reconstruction outcome."""
    where = f"<span class='muted'>({view.name}, batch {view.outcome.setting.batch_size})</span>"
    if view.tabular:
        return (f"column accuracy {fmt.pct(view.quality, 1)}, {fmt.signed(view.gain or 0.0)} over the majority "
                f"guess {where}")
    return f"PSNR {fmt.db(view.quality)}, {fmt.db(view.gain, signed=True)} over the best baseline {where}"


def control(view: OutcomeView) -> str:
    """What no leakage looks like for a reconstruction outcome: the best guess made without the update."""
    if view.tabular:
        return f"majority guess per column: {fmt.pct(view.baseline, 1)} of values right"
    o = view.outcome
    return (f"best guess without the update: {fmt.db(view.baseline)} (mean image "
            f"{fmt.db(o.baseline_mean_image_psnr)}, random record {fmt.db(o.baseline_random_image_psnr)})")


@dataclass(frozen=True)
class SweepGrid:
    """The batch-size × local-steps sweep as a grid: rows local steps, columns batch sizes."""

    batch_sizes: list[int]
    local_steps: list[int]
    cells: dict[tuple[int, int], OutcomeView]  # (local steps, batch size) -> outcome


def sweep_grid(views: list[OutcomeView]) -> SweepGrid:
    """Arrange sweep outcomes by (local steps, batch size)."""
    cells = {(v.outcome.setting.local_steps, v.outcome.setting.batch_size): v for v in views}
    return SweepGrid(sorted({b for _, b in cells}), sorted({s for s, _ in cells}), cells)


def client_assessment(mia: ClientMiaOutcome, *, null: bool = False) -> Assessment:
    """Level of the curious client's membership inference (or its null control), from the AUC thresholds."""
    value, low, high = (mia.null_auc, mia.null_auc_low, mia.null_auc_high) if null else (mia.auc, mia.auc_low,
                                                                                          mia.auc_high)
    return assess(MEMBERSHIP_THRESHOLDS, {"auc": value}, {"auc": low}, {"auc": high}, mia.attack, value)
