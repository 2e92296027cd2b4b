"""Image augmentations (flips and shifts): query-time for multi-query membership signals, and training-time.

A dataset may name augmentations (``Dataset.augmentations``); the signal layer then queries the target
and every reference model on each augmented copy of the attacker's records, giving logits of shape
(A, R, C) per model. LiRA uses them as a vector signal with independent Gaussians per augmentation and
RMIA averages Pr(x|θ) over them (Carlini et al. 2022, §VI; Zarifzadeh et al. 2024, §5). The names
(``identity``, ``hflip``, ``shift:dx,dy``) are defined and checked in :mod:`leakpro.config.augmentations`.

The same names serve a recipe's training augmentation (``TorchRecipe.augment``): there each record of
each mini-batch gets one augmentation drawn uniformly from ``identity`` and the named ones
(:func:`training_pool`, :func:`augment_each`), so ``identity`` need not come first or be named at all.

>>> import numpy as np
>>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 2, 2)
>>> apply_augmentation(x, "shift:1,0")[0, 0].tolist()
[[0.0, 0.0], [0.0, 2.0]]
"""

from __future__ import annotations

import numpy as np

from leakpro.config.augmentations import parse_augmentation


def _shift(x: np.ndarray, dx: int, dy: int) -> np.ndarray:
    out = np.zeros_like(x)
    h, w = x.shape[-2:]
    src_y = slice(max(0, -dy), h - max(0, dy))
    dst_y = slice(max(0, dy), h - max(0, -dy))
    src_x = slice(max(0, -dx), w - max(0, dx))
    dst_x = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_y, dst_x] = x[..., src_y, src_x]
    return out


def apply_augmentation(features: np.ndarray, name: str) -> np.ndarray:
    """One augmented copy of image features (N, C, H, W) (any array with two trailing spatial axes)."""
    kind, dx, dy = parse_augmentation(name)
    if kind == "identity":
        return features
    if features.ndim < 3:
        raise ValueError(f"augmentation {name!r} needs image features (N, C, H, W), got shape {features.shape}")
    if kind == "hflip":
        return np.ascontiguousarray(features[..., ::-1])
    return _shift(features, dx, dy)


def training_pool(names: tuple[str, ...]) -> tuple[str, ...]:
    """What a training record is augmented with, drawn uniformly: ``identity`` then ``names``, each once."""
    return tuple(dict.fromkeys(("identity", *names)))


def augment_each(features: np.ndarray, pool: tuple[str, ...], choice: np.ndarray) -> np.ndarray:
    """Record i of ``features`` (N, C, H, W) augmented with ``pool[choice[i]]``; a new array.

    >>> x = np.arange(8, dtype=np.float32).reshape(2, 1, 2, 2)
    >>> augment_each(x, ("identity", "hflip"), np.array([0, 1]))[:, 0, 0].tolist()
    [[0.0, 1.0], [5.0, 4.0]]
    """
    out = features.copy()
    for k, name in enumerate(pool):
        rows = choice == k
        if name != "identity" and rows.any():
            out[rows] = apply_augmentation(features[rows], name)
    return out
