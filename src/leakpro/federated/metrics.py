"""Reconstruction metrics, computed by the challenger (who holds the private records), never by an attack.

* :func:`psnr` — peak signal-to-noise ratio ``10·log10(range² / MSE)`` in dB (capped at 100 dB for equality).
* :func:`ssim` — structural similarity (Wang et al. 2004) with a uniform ``win × win`` window, constants
  ``K1 = 0.01``, ``K2 = 0.03``, sample covariances, averaged over the valid (unpadded) windows; the
  window shrinks to the image side for small images (8×8 digits use a 7×7 window).
* :func:`match_reconstructions` — optimal one-to-one matching of reconstructions to true records (Hungarian
  assignment on mean squared error, :func:`scipy.optimize.linear_sum_assignment`): a batch attack returns an
  unordered set, so each reconstruction is scored against the record it best stands for.
* :func:`label_accuracy` — recovered label multiset against the true one (fraction of labels recovered).
* :func:`tabular_column_accuracy` — per-column accuracy of decoded tabular records.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter
from scipy.optimize import linear_sum_assignment

MAX_PSNR = 100.0


def psnr(reconstruction: np.ndarray, original: np.ndarray, data_range: float = 1.0) -> float:
    """PSNR in dB of one reconstruction against its original (same shape).

    >>> round(psnr(np.full((4, 4), 0.1), np.zeros((4, 4))), 6)
    20.0
    """
    a, b = np.asarray(reconstruction, dtype=np.float64), np.asarray(original, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"psnr: shapes differ: {a.shape} vs {b.shape}")
    mse = float(np.mean((a - b) ** 2))
    if mse == 0.0:
        return MAX_PSNR
    return float(min(MAX_PSNR, 10.0 * np.log10(data_range**2 / mse)))


def ssim(reconstruction: np.ndarray, original: np.ndarray, data_range: float = 1.0, win: int = 7) -> float:
    """Mean SSIM of two grey images (H×W, or C×H×W averaged over channels).

    >>> ssim(np.eye(8), np.eye(8))
    1.0
    """
    a, b = np.asarray(reconstruction, dtype=np.float64), np.asarray(original, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"ssim: shapes differ: {a.shape} vs {b.shape}")
    if a.ndim == 3:
        return float(np.mean([ssim(a[c], b[c], data_range, win) for c in range(a.shape[0])]))
    if a.ndim != 2:
        raise ValueError(f"ssim: expected an H×W or C×H×W image, got shape {a.shape}")
    win = min(win, *a.shape)
    if win % 2 == 0:
        win -= 1
    n = win * win
    cov_norm = n / (n - 1) if n > 1 else 1.0
    ux, uy = uniform_filter(a, win), uniform_filter(b, win)
    vx = cov_norm * (uniform_filter(a * a, win) - ux * ux)
    vy = cov_norm * (uniform_filter(b * b, win) - uy * uy)
    vxy = cov_norm * (uniform_filter(a * b, win) - ux * uy)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux**2 + uy**2 + c1) * (vx + vy + c2))
    pad = (win - 1) // 2
    valid = s[pad: s.shape[0] - pad, pad: s.shape[1] - pad]
    return float(round(valid.mean(), 12))


def match_reconstructions(reconstructions: np.ndarray, originals: np.ndarray) -> np.ndarray:
    """``perm`` such that reconstruction ``perm[i]`` is matched to original ``i`` (minimum total MSE)."""
    r = np.asarray(reconstructions, dtype=np.float64).reshape(len(reconstructions), -1)
    o = np.asarray(originals, dtype=np.float64).reshape(len(originals), -1)
    if r.shape != o.shape:
        raise ValueError(f"cannot match {r.shape[0]} reconstructions of size {r.shape[1]} to "
                         f"{o.shape[0]} originals of size {o.shape[1]}")
    cost = ((o[:, None, :] - r[None, :, :]) ** 2).mean(axis=2)
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(len(o), dtype=np.int64)
    perm[rows] = cols
    return perm


def matched_image_scores(
    reconstructions: np.ndarray, originals: np.ndarray, data_range: float = 1.0
) -> tuple[np.ndarray, list[float], list[float]]:
    """Match, then PSNR and SSIM per original: (perm, psnr list, ssim list)."""
    perm = match_reconstructions(reconstructions, originals)
    psnrs = [psnr(reconstructions[perm[i]], originals[i], data_range) for i in range(len(originals))]
    ssims = [ssim(reconstructions[perm[i]], originals[i], data_range) for i in range(len(originals))]
    return perm, psnrs, ssims


def label_accuracy(recovered: np.ndarray, true: np.ndarray) -> float:
    """Fraction of the true labels present in the recovered multiset (order-free; 1.0 = all counts right).

    >>> label_accuracy(np.array([1, 1, 2]), np.array([2, 1, 3]))
    0.6666666666666666
    """
    rec, tru = np.asarray(recovered).ravel(), np.asarray(true).ravel()
    if rec.size != tru.size:
        raise ValueError(f"label_accuracy: {rec.size} recovered labels for {tru.size} records")
    if tru.size == 0:
        raise ValueError("label_accuracy: no records")
    size = int(max(rec.max(initial=0), tru.max(initial=0))) + 1
    overlap = np.minimum(np.bincount(rec, minlength=size), np.bincount(tru, minlength=size)).sum()
    return float(overlap / tru.size)


def tabular_column_accuracy(
    recovered: dict[str, np.ndarray], true: dict[str, np.ndarray], numeric_tolerance: float = 0.1
) -> dict[str, float]:
    """Per column: exact-match rate for categorical values; for numeric (float) columns the rate of
    absolute errors within ``numeric_tolerance`` (in the column's standardised units)."""
    missing = sorted(set(true) - set(recovered))
    if missing:
        raise ValueError(f"tabular_column_accuracy: no recovered values for columns {missing}")
    out: dict[str, float] = {}
    for column, values in true.items():
        rec, tru = np.asarray(recovered[column]), np.asarray(values)
        if rec.shape != tru.shape:
            raise ValueError(f"column {column!r}: {rec.shape} recovered values for {tru.shape} records")
        if np.issubdtype(tru.dtype, np.floating):
            out[column] = float(np.mean(np.abs(rec.astype(np.float64) - tru) <= numeric_tolerance))
        else:
            out[column] = float(np.mean(rec == tru))
    return out
