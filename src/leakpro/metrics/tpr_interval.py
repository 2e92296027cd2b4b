"""An interval for the TPR at a fixed FPR α that accounts for the threshold being read off the same scores.

"TPR at FPR ≤ α" is measured at a threshold placed among the non-members' scores, so its error has two parts:
the members' binomial error at that threshold, and the threshold's own error (its true FPR is not α). A
Clopper–Pearson interval on tp/positives covers only the first and under-covers badly where the ROC is steep
(47–72 % at a nominal 95 % for binormal shifts 0.5–2).

Method (``"quantile-rank mixture"``): the true α-quantile q of the non-member scores has N non-members above it,
N ~ Binomial(n₀, α), whatever the score distribution (the distribution-free law behind order-statistic intervals
for quantiles). For a draw of N the members above q lie between the members above the N-th and above the
(N+1)-th largest non-member (read off the exact ROC, ties kept as ties), taken uniformly in between; the members'
sampling error is then added with the Jeffreys posterior Beta(M + ½, n₁ − M + ½). The interval is the
shortest range that holds ``confidence`` of that mixture, not its central part: the mixture is skewed where few
false alarms are allowed, and a central interval then spends its lower tail on values it cannot miss (coverage
with 2–5 expected false alarms fell from 96–100 % to 95–99 %; with more it stays within 93–97 %). The mixture is a
confidence distribution in the sense of Xie & Singh (2013): the two error sources are convolved rather than
Bonferroni-combined as in Hilgers' (1991) distribution-free bounds, which cover 99–100 % and are 1.6× wider.
Coverage of the true TPR at FPR = α, checked by ``benchmarks/calibration.py`` on binormal scores, is 93–97 % when
the non-members allow at least 10 false alarms at α (n₀·α ≥ 10). With fewer (1 ≤ n₀·α < 10) it can be
conservative: with two expected false alarms and no leak, the members above the threshold are a count of about 2
whose plausible range starts at 0, so no interval that is not randomised can miss the truth from below there
(99 % in that one setting).

The mixture is sampled with a fixed seed, so the interval is a deterministic function of the ROC (which does not
depend on row order).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from leakpro.metrics.roc import Roc

METHOD = "quantile-rank mixture"
CALIBRATED_FALSE_ALARMS = 10  # n₀·α at or above which coverage was measured to be 93–97 %
DRAWS = 40_000


@dataclass(frozen=True)
class TprInterval:
    low: float
    high: float
    method: str
    calibrated: bool  # n₀·α ≥ CALIBRATED_FALSE_ALARMS; otherwise conservative


@functools.lru_cache(maxsize=8)
def _size_draws(
    seed: int, positives: int, negatives: int, level: float, draws: int
) -> tuple[np.ndarray, np.ndarray, Mapping[str, Any]]:
    """The mixture's draws that depend on the ROC's sizes alone, and the generator's state after them.

    The rank N ~ Binomial(n₀, α) and the uniform that places the members between two ROC points are drawn
    first from a stream seeded by (seed, n₁, n₀), so every attack scored on the same records draws the same
    ones: they are drawn once and shared (read-only), and each call resumes the stream where they left it.
    The draws are bit for bit those of drawing everything afresh; only the Beta draws depend on the ROC.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x7F1A, positives, negatives]))
    rank = rng.binomial(negatives, level, size=draws)  # non-members above the true α-quantile
    uniform = rng.random(draws)
    rank.flags.writeable = False
    uniform.flags.writeable = False
    return rank, uniform, rng.bit_generator.state


def tpr_mixture_draws(roc: Roc, level: float, draws: int = DRAWS, seed: int = 0) -> np.ndarray:
    """Draws of the true TPR at FPR = ``level`` from the quantile-rank mixture (see the module)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"an FPR level for an interval must lie in (0, 1), got {level}")
    n1 = roc.positives
    rank, uniform, state = _size_draws(seed, int(n1), int(roc.negatives), float(level), int(draws))
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = state  # where the stream stood after those draws: the Beta draws follow on
    # members above the N-th largest non-member: the last ROC point with at most N − 1 false positives;
    # above the (N+1)-th: the last with at most N (tp and fp are non-decreasing along the ROC). Both depend on
    # N alone, so they are looked up once per value of N in 0..max and then indexed by the draws.
    n_values = np.arange(int(rank.max()) + 1)
    hi_idx = np.searchsorted(roc.fp, n_values, side="right") - 1
    lo_idx = np.searchsorted(roc.fp, n_values - 1, side="right") - 1
    m_hi = roc.tp[hi_idx][rank]
    m_lo = np.where(lo_idx >= 0, roc.tp[np.maximum(lo_idx, 0)], 0)[rank]
    members_above = m_lo + np.floor(uniform * (m_hi - m_lo + 1)).astype(np.int64)
    return rng.beta(members_above + 0.5, n1 - members_above + 0.5)


def shortest_range(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    """The narrowest range holding ``confidence`` of the draws (ties: the lowest such range).

    A range holding ``inside`` of the sorted draws starts among the lowest ``size − inside + 1`` and ends among
    the highest as many, so only those two ends are sorted (the same result as sorting every draw)."""
    d = np.asarray(draws, dtype=np.float64)
    inside = int(np.ceil(confidence * d.size))
    k = d.size - inside + 1
    if 2 * k < d.size:
        part = np.partition(d, (k - 1, d.size - k))
        low_end, high_end = np.sort(part[:k]), np.sort(part[d.size - k:])
    else:
        d = np.sort(d)
        low_end, high_end = d[:k], d[inside - 1:]
    widths = high_end - low_end
    i = int(np.argmin(widths))
    return float(low_end[i]), float(high_end[i])


def tpr_at_fpr_interval(roc: Roc, level: float, confidence: float = 0.95, seed: int = 0) -> TprInterval:
    """Two-sided ``confidence`` interval for the true TPR at FPR = ``level`` (threshold error included)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    tail = (1.0 - confidence) / 2
    draws = max(DRAWS, int(np.ceil(200 / tail)))  # at least 200 draws beyond each end of a central interval
    low, high = shortest_range(tpr_mixture_draws(roc, level, draws, seed), confidence)
    calibrated = roc.negatives * level >= CALIBRATED_FALSE_ALARMS
    method = METHOD if calibrated else f"{METHOD} (conservative: fewer than {CALIBRATED_FALSE_ALARMS} false alarms)"
    return TprInterval(float(low), float(high), method, calibrated)
