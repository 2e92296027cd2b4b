"""ε lower bounds from canary scores: one run (Steinke, Nasr & Jagielski 2023) and many runs (Clopper–Pearson).

**One run.** m canaries are each included independently with probability ½ and score higher when included.
The auditor guesses "in" for the k highest scores and "out" for the k lowest and abstains on the rest; the
number of correct guesses v among r = 2k bounds ε through :func:`leakpro.metrics.one_run.one_run_epsilon`
(the paper's Theorem in its (ε, δ) form), or through the f-DP analysis of
:mod:`leakpro.metrics.fdp_one_run` (Mahloujifar, Melis & Chaudhuri 2024), which pays no δ per canary:
``family="epsilon_delta"`` tests the (ε, δ)-DP trade-off curve (an ε lower bound in the (ε, δ) sense, like
Steinke's), ``family="gaussian"`` tests μ-GDP (μ̂, reported as ε(μ̂, δ); see that module for what it proves).
Which k works best depends on the mechanism. :func:`one_run_bound` and :func:`fdp_one_run_bound` try several,
each tested at level (1 − confidence) / (number tried): by the union bound the largest of the bounds holds at
``confidence`` (the list of k is fixed before the scores are seen). :func:`calibrated_bound`, which the DP audit
uses, instead chooses k (and whether to guess "out" at all) on a quarter of the canaries and tests that one
choice on the rest at the full level: with many canaries the (ε, δ) analyses pay about δ·m / level, so a union
bound over ten sizes costs much more than the quarter of the canaries (ε = 4, full-batch DP-SGD, 50,000
canaries: about 1.8 with the union bound, 2.1 calibrated). Nothing is tuned on the test canaries' bits.

**Several runs.** Runs are independent, so their canaries pool into one one-run experiment (m·R canaries;
the whole set of runs is (ε, δ)-DP in each canary). The classical multi-run audit (Nasr et al. 2021) is
also given: one designated canary per run is one trial, its guess is "in" when its score exceeds a threshold
taken from the *other* canaries of the same run (the (1 − α) quantile of their out-scores, α fixed from the
number of runs), so the trials are independent; then ε ≥ ln((TPR_lower − δ)/FPR_upper) with one-sided
Clopper–Pearson bounds, each at 1 − (1 − confidence)/2.

>>> import numpy as np
>>> included = np.arange(200) % 2 == 0
>>> one_run_bound(included.astype(float), included, delta=0.0).epsilon > 1.5  # perfect separation
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from leakpro.metrics.fdp_one_run import Family, fdp_epsilon, fdp_mu, gdp_epsilon
from leakpro.metrics.one_run import one_run_epsilon
from leakpro.stats.intervals import clopper_pearson_one_sided

# Guesses per side tried by default, as fractions of the canaries (each tested at level a / len).
DEFAULT_GUESS_FRACTIONS = (0.01, 0.02, 0.05, 0.1, 0.25, 0.5)


@dataclass(frozen=True)
class OneRunBound:
    epsilon: float  # the lower bound at the stated confidence (0 when nothing is rejected)
    guesses: int  # r of the best k (2k)
    correct: int  # v of the best k
    tried: int  # how many k were tried (the union-bound factor)
    canaries: int
    mu: float | None = None  # the GDP analysis only: the μ lower bound behind ε(μ, δ)
    calibration: int = 0  # canaries used only to choose k (calibrated_bound), not counted in ``canaries``
    in_only: bool = False  # every guess was "in" (calibrated_bound may choose it)


@dataclass(frozen=True)
class MultiRunBound:
    epsilon: float
    true_positives: int
    positives: int  # runs whose designated canary was included
    false_positives: int
    negatives: int
    fpr_level: float  # α of the per-run threshold


def guess_correct(scores: np.ndarray, included: np.ndarray, k: int) -> int:
    """Correct guesses when the k highest scores are guessed in and the k lowest out (ties by index)."""
    scores, included = np.asarray(scores, dtype=np.float64), np.asarray(included, dtype=bool)
    if not 0 <= 2 * k <= scores.size:
        raise ValueError(f"need 0 <= 2k <= m, got k={k}, m={scores.size}")
    order = np.argsort(-scores, kind="stable")
    return int(included[order[:k]].sum() + (~included[order[scores.size - k:]]).sum()) if k else 0


def guess_sizes(m: int, fractions: Sequence[float] = DEFAULT_GUESS_FRACTIONS) -> list[int]:
    """The k (guesses per side) tried for m canaries: distinct, at least 1, at most m // 2."""
    return sorted({min(m // 2, max(1, round(f * m))) for f in fractions} - {0})


def one_run_bound(scores: np.ndarray, included: np.ndarray, *, delta: float, confidence: float = 0.95,
                  fractions: Sequence[float] = DEFAULT_GUESS_FRACTIONS) -> OneRunBound:
    """The one-run ε lower bound, the best of several k with a union-bound correction (see the module)."""
    scores, included = _checked(scores, included)
    m = scores.size
    ks = guess_sizes(m, fractions)
    if not ks:
        return OneRunBound(0.0, 0, 0, 0, m)
    level = (1 - confidence) / len(ks)
    best = OneRunBound(0.0, 2 * ks[0], guess_correct(scores, included, ks[0]), len(ks), m)
    for k in ks:
        v = guess_correct(scores, included, k)
        eps = one_run_epsilon(m, 2 * k, v, delta, 1 - level)
        if eps > best.epsilon:
            best = OneRunBound(eps, 2 * k, v, len(ks), m)
    return best


def fdp_one_run_bound(scores: np.ndarray, included: np.ndarray, *, delta: float, family: Family,
                      confidence: float = 0.95, fractions: Sequence[float] = DEFAULT_GUESS_FRACTIONS) -> OneRunBound:
    """The f-DP one-run bound of one family, the best of several k with a union-bound correction.

    >>> included = np.arange(1000) % 2 == 0
    >>> fdp_one_run_bound(included.astype(float), included, delta=1e-5, family="gaussian").mu > 1.5
    True
    """
    scores, included = _checked(scores, included)
    m = scores.size
    ks = guess_sizes(m, fractions)
    if not ks:
        return OneRunBound(0.0, 0, 0, 0, m, 0.0 if family == "gaussian" else None)
    level = (1 - confidence) / len(ks)
    best = OneRunBound(0.0, 2 * ks[0], guess_correct(scores, included, ks[0]), len(ks), m,
                       0.0 if family == "gaussian" else None)
    for k in ks:
        v = guess_correct(scores, included, k)
        if family == "gaussian":
            mu = fdp_mu(m, 2 * k, v, 1 - level)
            if best.mu is None or mu > best.mu:
                best = OneRunBound(gdp_epsilon(mu, delta), 2 * k, v, len(ks), m, mu)
            continue
        eps = fdp_epsilon(m, 2 * k, v, family=family, delta=delta, confidence=1 - level)
        if eps > best.epsilon:
            best = OneRunBound(eps, 2 * k, v, len(ks), m)
    return best


# Fractions of the canaries (guesses per side) the calibrated analysis chooses among, from the calibration canaries.
CALIBRATION_SHARE = 0.25  # of the canaries, used only to choose the guess size
CALIBRATION_FRACTIONS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.4, 0.45, 0.5)
Method = Literal["steinke", "epsilon_delta", "gaussian"]
STEINKE_MAX_GUESSES = 20_000


def bound_of(method: Method, m: int, r: int, v: int, *, delta: float, confidence: float,
             in_only: bool = False, tol: float = 1e-5) -> tuple[float, float | None]:
    """(ε lower bound, μ lower bound or None) of v correct among r guesses over m canaries, at ``confidence``.

    ``in_only``: every guess is "in". Steinke et al.'s theorem holds for any guesses; in the f-DP analysis the
    tester of step 1 (see :mod:`leakpro.metrics.fdp_one_run`) is test 1 alone, whose power and type-I error are
    twice a_c and b_{c−1}: the same recursion with m/2 canaries.
    """
    if method == "steinke":
        return one_run_epsilon(m, r, v, delta, confidence, xtol=tol / 10), None
    m_eff = m / 2 if in_only else m
    if method == "gaussian":
        mu = fdp_mu(m_eff, r, v, confidence, tol=tol)
        return gdp_epsilon(mu, delta), mu
    return fdp_epsilon(m_eff, r, v, family=method, delta=delta, confidence=confidence, tol=tol), None


def correct_counts(scores: np.ndarray, included: np.ndarray, ks: Sequence[int], in_only: bool = False) -> list[int]:
    """:func:`guess_correct` for several k with one sort (``in_only``: the k highest guessed in, no "out" guess)."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    hits_in = np.concatenate([[0], np.cumsum(included[order])])
    hits_out = np.concatenate([[0], np.cumsum(~included[order][::-1])])
    return [int(hits_in[k] + (0 if in_only else hits_out[k])) for k in ks]


def calibrated_bound(scores: np.ndarray, included: np.ndarray, *, delta: float, method: Method,
                     confidence: float = 0.95, calibration: float = CALIBRATION_SHARE,
                     fractions: Sequence[float] = CALIBRATION_FRACTIONS) -> OneRunBound:
    """One test at ``confidence``, its guesses chosen on calibration canaries instead of a union bound.

    The first ``calibration`` share of the canaries only chooses the guesses: for each fraction f and each way of
    guessing (the f·m highest in and the f·m lowest out, or the f·m highest in only), their (smoothed, less one
    standard error) precision is plugged into the bound of the remaining canaries, and the choice with the
    highest predicted bound is tested, once, on the remaining canaries (Steinke's analysis, slow for many
    guesses, tries at most ``STEINKE_MAX_GUESSES``). Valid because the analysis holds for any
    fixed value of the calibration canaries' bits (they are records of the training set like any other, and
    the test canaries' bits stay independent fair coins given them), and guesses may use everything but the
    test bits. A union bound over the choices would instead test each at (1 − confidence) / (number of choices),
    and at large m the (ε, δ) analyses pay about δ·m / level: one test at the full level keeps that term small.
    In-only guesses suit subsampled mechanisms, where an included canary that was never sampled looks left out.
    """
    scores, included = _checked(scores, included)
    m = scores.size
    m_cal = round(calibration * m)
    m_test = m - m_cal
    choices = [(in_only, max(1, round(f * m_test)), max(1, round(f * m_cal))) for f in fractions
               for in_only in (False, True)]
    choices = [(i, k, kc) for i, k, kc in choices if 2 * k <= m_test and 2 * kc <= m_cal]
    if not choices or m_cal < 2:
        raise ValueError(f"too few canaries ({m}) to calibrate a guess size; use at least 10")
    sizes = [kc for _, _, kc in choices]
    counts = {i: correct_counts(scores[:m_cal], included[:m_cal], sizes, i) for i in (False, True)}
    predicted = []
    for j, (in_only, k, kc) in enumerate(choices):
        per = 1 if in_only else 2
        v = int(per * k * _cautious_precision(counts[in_only][j], per * kc))
        slow = method == "steinke" and per * k > STEINKE_MAX_GUESSES
        predicted.append(0.0 if 2 * v <= per * k or slow else  # chance level (or too slow to try): no bound
                         bound_of(method, m_test, per * k, v, delta=delta, confidence=confidence, in_only=in_only,
                                  tol=1e-3)[0])
    in_only, k, _ = choices[int(np.argmax(predicted))]
    v = correct_counts(scores[m_cal:], included[m_cal:], [k], in_only)[0]
    r = k if in_only else 2 * k
    eps, mu = bound_of(method, m_test, r, v, delta=delta, confidence=confidence, in_only=in_only)
    return OneRunBound(eps, r, v, 1, m_test, mu, calibration=m_cal, in_only=in_only)


def _cautious_precision(correct: int, guesses: int) -> float:
    """Smoothed precision less one standard error: few calibration guesses should not win by luck."""
    p = (correct + 1) / (guesses + 2)
    return max(0.0, p - math.sqrt(p * (1 - p) / guesses))


def _checked(scores: np.ndarray, included: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores, included = np.asarray(scores, dtype=np.float64), np.asarray(included, dtype=bool)
    if scores.shape != included.shape or scores.ndim != 1:
        raise ValueError("scores and included must be 1-d arrays of one length")
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite")
    return scores, included


def clopper_pearson_epsilon(tp: int, positives: int, fp: int, negatives: int, *, delta: float,
                            confidence: float = 0.95) -> float:
    """ε ≥ ln((TPR_lower − δ) / FPR_upper) from independent trials (each rate at 1 − (1 − confidence)/2)."""
    each = 1 - (1 - confidence) / 2
    tpr_lo = clopper_pearson_one_sided(tp, positives, each)[0]
    fpr_hi = clopper_pearson_one_sided(fp, negatives, each)[1]
    if tpr_lo - delta <= 0 or fpr_hi <= 0:
        return 0.0
    return max(0.0, math.log((tpr_lo - delta) / fpr_hi))


def multi_run_bound(scores: Sequence[np.ndarray], included: Sequence[np.ndarray], *, delta: float,
                    confidence: float = 0.95, designated: int = 0) -> MultiRunBound:
    """The multi-run Clopper–Pearson bound: canary ``designated`` of each run is one independent trial.

    Its threshold in run j is the (1 − α) quantile of the scores of run j's other canaries that were left out
    (α = 1 / number of runs, fixed in advance), so no trial's guess depends on another run or on its own bit.
    """
    runs = len(scores)
    if runs < 2 or len(included) != runs:
        raise ValueError("need scores and included for at least two runs")
    alpha = 1.0 / runs
    tp = fp = positives = 0
    for s, inc in zip(scores, included, strict=True):
        s, inc = np.asarray(s, dtype=np.float64), np.asarray(inc, dtype=bool)
        others = np.ones(s.size, dtype=bool)
        others[designated] = False
        outs = s[others & ~inc]
        threshold = float(np.quantile(outs, 1 - alpha, method="higher")) if outs.size else math.inf
        guess_in = bool(s[designated] > threshold)
        positives += int(inc[designated])
        tp += int(guess_in and inc[designated])
        fp += int(guess_in and not inc[designated])
    eps = clopper_pearson_epsilon(tp, positives, fp, runs - positives, delta=delta, confidence=confidence)
    return MultiRunBound(eps, tp, positives, fp, runs - positives, alpha)
