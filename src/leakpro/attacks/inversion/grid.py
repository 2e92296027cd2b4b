"""Reconstructed images as one PNG grid: the picture a model-inversion audit leaves beside its results."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def save_grid(images: np.ndarray, path: Path, scale: int = 8) -> Path:
    """Write (rows, cols, 1|3, H, W) images in [0, 1] as one PNG grid, each pixel ``scale``× enlarged."""
    from PIL import Image

    rows, cols, ch, h, w = images.shape
    pad = 1
    grid = np.ones((rows * (h + pad) + pad, cols * (w + pad) + pad, ch), dtype=np.float32)
    for r in range(rows):
        for c in range(cols):
            y0, x0 = pad + r * (h + pad), pad + c * (w + pad)
            grid[y0:y0 + h, x0:x0 + w] = np.moveaxis(images[r, c], 0, -1)
    pixels = (np.clip(grid, 0, 1) * 255).round().astype(np.uint8)
    img = Image.fromarray(pixels[..., 0] if ch == 1 else pixels)
    img = img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path
