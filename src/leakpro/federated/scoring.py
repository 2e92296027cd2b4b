"""The challenger's scoring of one reconstruction: matching, PSNR/SSIM or column accuracy, and baselines.

Baselines come from population records (never the target's): for images the PSNR of the population mean
image and the mean PSNR of random population records against the true records; for tabular data the
accuracy of guessing each categorical column's most frequent value and each numeric column's median.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from leakpro.federated.attacks.base import Reconstruction
from leakpro.federated.attacks.tabular import decode_rows
from leakpro.federated.images import save_reconstruction_grid
from leakpro.federated.metrics import (
    label_accuracy,
    match_reconstructions,
    matched_image_scores,
    psnr,
    tabular_column_accuracy,
)
from leakpro.federated.results import ReconstructionOutcome, Setting
from leakpro.federated.simulation import FederatedSimulation

BASELINE_RECORDS = 500


def image_baselines(population: np.ndarray, originals: np.ndarray, n_random: int = 64) -> tuple[float, float]:
    """(PSNR of the population mean image, mean PSNR of random population images) against ``originals``."""
    mean = population.mean(axis=0)
    mean_psnr = float(np.mean([psnr(mean, o) for o in originals]))
    random_psnr = float(np.mean([psnr(p, o) for p in population[:n_random] for o in originals]))
    return mean_psnr, random_psnr


def tabular_baseline(population: dict[str, np.ndarray], truth: dict[str, np.ndarray]) -> dict[str, float]:
    """Per-column accuracy of guessing the population's majority value (median for numeric columns)."""
    guess: dict[str, np.ndarray] = {}
    for column, values in population.items():
        n = len(truth[column])
        if np.issubdtype(np.asarray(values).dtype, np.floating):
            guess[column] = np.full(n, float(np.median(values)))
        else:
            levels, counts = np.unique(values.astype(str), return_counts=True)
            guess[column] = np.full(n, levels[counts.argmax()], dtype=object)
    return tabular_column_accuracy(guess, truth)


def score_reconstruction(
    reconstruction: Reconstruction, sim: FederatedSimulation, target: int, *, attack_name: str, paper: str,
    params: dict[str, Any], setting: Setting, runtime_s: float, out: Path, image: Path | None,
) -> ReconstructionOutcome:
    """Score a reconstruction of client ``target``'s records (the challenger's secret)."""
    x, y = sim.private_records(target)
    population = sim.data.x[sim.population[:BASELINE_RECORDS]].numpy()
    common: dict[str, Any] = {
        "attack": attack_name, "paper": paper, "params": params, "setting": setting, "runtime_s": runtime_s,
        "label_accuracy": label_accuracy(reconstruction.labels, y), "matching_loss": reconstruction.matching_loss,
    }
    schema = sim.data.schema
    if schema is not None:
        perm = match_reconstructions(reconstruction.x, x)
        truth = decode_rows(x, schema)
        accuracy = tabular_column_accuracy(decode_rows(reconstruction.x[perm], schema), truth)
        baseline = tabular_baseline(decode_rows(population, schema), truth)
        return ReconstructionOutcome(column_accuracy=accuracy, baseline_column_accuracy=baseline, **common)
    perm, psnrs, ssims = matched_image_scores(reconstruction.x, x)
    mean_base, random_base = image_baselines(population, x)
    if image is not None:
        save_reconstruction_grid(x, reconstruction.x[perm], out / image, psnrs=psnrs,
                                 title=f"{attack_name} · batch {setting.batch_size} · {setting.defence}")
    return ReconstructionOutcome(
        psnr=psnrs, ssim=ssims, mean_psnr=float(np.mean(psnrs)), mean_ssim=float(np.mean(ssims)),
        baseline_mean_image_psnr=mean_base, baseline_random_image_psnr=random_base,
        image=str(image) if image is not None else None, **common,
    )
