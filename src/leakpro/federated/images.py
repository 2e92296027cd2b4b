"""PNG grids of reconstructions: the originals in the top row, the matched reconstructions below."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def save_reconstruction_grid(
    originals: np.ndarray, reconstructions: np.ndarray, path: Path, *, title: str = "",
    psnrs: list[float] | None = None, max_images: int = 16,
) -> Path:
    """Write ``path`` (PNG): original i above its matched reconstruction i, with the PSNR under each pair."""
    n = min(len(originals), max_images)
    if n == 0:
        raise ValueError("no images to draw")
    if reconstructions.shape[0] < n or reconstructions.shape[1:] != originals.shape[1:]:
        raise ValueError(f"reconstructions {reconstructions.shape} do not match originals {originals.shape}")
    fig, axes = plt.subplots(2, n, figsize=(1.3 * n + 0.4, 3.0), squeeze=False)
    for i in range(n):
        for row, image in enumerate((originals[i], reconstructions[i])):
            ax = axes[row][i]
            pixels = np.asarray(image, dtype=np.float64)
            pixels = pixels[0] if pixels.ndim == 3 and pixels.shape[0] == 1 else np.moveaxis(pixels, 0, -1)
            ax.imshow(np.clip(pixels, 0, 1), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        if psnrs is not None:
            axes[1][i].set_xlabel(f"{psnrs[i]:.1f} dB", fontsize=8)
    axes[0][0].set_ylabel("original", fontsize=8)
    axes[1][0].set_ylabel("reconstructed", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
