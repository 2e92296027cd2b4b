"""Reference-calibrated LM membership attacks: a reference LM's likelihood subtracted, and LiRA over halves.

- ``reference`` (Carlini et al. 2021, "small/reference model" comparison; Mireshghallah et al. 2022): the target's
  per-character log-probability minus a reference LM's, the reference trained on population texts only. A text
  that is simply easy is easy under both; a memorised one only under the target.
- ``lira`` (Carlini et al. 2022, online, fixed variance): K reference LMs each trained on a random half of the
  candidates (plus what the reference saw); per candidate, Gaussians fitted to its signal under the references that
  trained on it (in) and those that did not (out), with one pooled variance each; score = log N(s; μ_in, σ_in) −
  log N(s; μ_out, σ_out) of the target's signal s. The halves are the attacker's own choice, never the secret.
- ``rmia`` (Zarifzadeh et al. 2024, online): the likelihood ratio Pr(x | θ) / Pr(x) with Pr(x) the mean likelihood
  under all K reference LMs (those that trained on x and those that did not), on per-character likelihoods. RMIA
  then compares LR(x) with LR(z) for population texts z (score = share of z with LR(x)/LR(z) > γ); for a fixed
  population that share is a monotone function of LR(x), so the ROC, AUC and TPR at every FPR are those of
  log LR(x), which is the score returned here (no population signals needed).
- ``rmia_offline`` (Zarifzadeh et al. 2024, offline): K reference LMs each trained on a random half of population
  texts, none on any candidate; Pr(x) ≈ ½((1+a)·mean_k Pr(x | θ_k) + (1−a)), with ``a`` tuned on the reference LMs
  alone (one plays the target over the population texts, the others are its references;
  :mod:`leakpro.attacks.rmia_offline`, shared with the classifier RMIA), or set (``offline_a``). The score is
  log LR(x), as online. Cheaper than online: the reference LMs need not be retrained for new candidates.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field
from scipy.special import logsumexp
from scipy.stats import norm

from leakpro.attacks.llm.base import LMAttack, LMAttackParams, LMView, register_lm_attack
from leakpro.attacks.rmia_offline import OfflineA, log_marginal, tune_offline_a
from leakpro.signals.lm import log_prob_per_char


@register_lm_attack
class ReferenceAttack(LMAttack):
    """Target minus reference log-likelihood (per character)."""

    name = "reference"
    title = "Reference-model calibration"
    paper = "Carlini et al. 2021; Mireshghallah et al. 2022"
    needs = "reference"

    def scores(self, view: LMView) -> np.ndarray:
        assert view.reference is not None  # checked by run()
        return log_prob_per_char(view.target) - view.reference


def lira_online(target: np.ndarray, signals: np.ndarray, trained_in: np.ndarray) -> np.ndarray:
    """Online LiRA with fixed (pooled) variances; (N,) target signals, (K, N) reference signals and in-masks.

    A candidate no reference trained on (or every reference did) falls back to the pooled mean of that side.
    """
    s = np.asarray(signals, dtype=np.float64)
    m = np.asarray(trained_in, dtype=bool)
    n_in, n_out = m.sum(0), (~m).sum(0)
    mu_in = np.where(n_in > 0, np.where(m, s, 0).sum(0) / np.maximum(n_in, 1), s[m].mean() if m.any() else 0.0)
    mu_out = np.where(n_out > 0, np.where(~m, s, 0).sum(0) / np.maximum(n_out, 1),
                      s[~m].mean() if (~m).any() else 0.0)
    res_in = (s - mu_in)[m]
    res_out = (s - mu_out)[~m]
    sd_in = float(np.sqrt(np.mean(res_in**2))) if res_in.size > 1 else 0.0
    sd_out = float(np.sqrt(np.mean(res_out**2))) if res_out.size > 1 else 0.0
    floor = 1e-6 + 1e-3 * float(np.std(s))
    sd_in, sd_out = max(sd_in, floor), max(sd_out, floor)
    return norm.logpdf(target, mu_in, sd_in) - norm.logpdf(target, mu_out, sd_out)


@register_lm_attack
class LiraAttack(LMAttack):
    """LiRA (online, fixed variance) on per-character log-likelihood with reference LMs on random halves."""

    name = "lira"
    title = "LiRA (reference LMs on random halves)"
    paper = "Carlini et al. 2022"
    needs = "lira"

    def scores(self, view: LMView) -> np.ndarray:
        assert view.lira_signals is not None and view.lira_in is not None  # checked by run()
        return lira_online(log_prob_per_char(view.target), view.lira_signals, view.lira_in)


def rmia_log_ratio(target: np.ndarray, signals: np.ndarray) -> np.ndarray:
    """log Pr(x | θ) − log mean_k Pr(x | θ_k), from per-character log-likelihoods ((N,) and (K, N))."""
    s = np.asarray(signals, dtype=np.float64)
    return np.asarray(target, dtype=np.float64) - (logsumexp(s, axis=0) - np.log(s.shape[0]))


@register_lm_attack
class RmiaAttack(LMAttack):
    """RMIA (online): the target's likelihood over the mean likelihood of reference LMs on random halves."""

    name = "rmia"
    title = "RMIA (reference LMs on random halves)"
    paper = "Zarifzadeh et al. 2024"
    needs = "lira"

    def scores(self, view: LMView) -> np.ndarray:
        if view.lira_signals is None:  # checked by run()
            raise ValueError("rmia needs reference LMs")
        return rmia_log_ratio(log_prob_per_char(view.target), view.lira_signals)


class OfflineRmiaParams(LMAttackParams):
    offline_a: float | None = Field(None, ge=0, le=1, description="None: tuned on the reference LMs (0.5 where "
                                    "fewer than 3 leave none to tune on; the results say which)")


@register_lm_attack
class OfflineRmiaAttack(LMAttack):
    """RMIA (offline): reference LMs trained on population halves only, Pr(x) corrected with ``a``."""

    name = "rmia_offline"
    title = "RMIA offline (reference LMs on population halves)"
    paper = "Zarifzadeh et al. 2024"
    needs = "offline"
    Params: ClassVar[type[LMAttackParams]] = OfflineRmiaParams

    def scores(self, view: LMView) -> np.ndarray:
        ref, pop, pop_in = view.offline_signals, view.offline_population, view.offline_population_in
        if ref is None or pop is None or pop_in is None:  # checked by run()
            raise ValueError("rmia_offline needs offline reference LMs")
        a = self.params.offline_a  # type: ignore[attr-defined]
        if a is None:
            self.choice_ = tune_offline_a(np.asarray(pop, dtype=np.float64), np.asarray(pop_in, dtype=bool),
                                          pop.shape[1])
        else:
            self.choice_ = OfflineA(float(a), "set in the config (offline_a)")
        ref = np.asarray(ref, dtype=np.float64)
        log_px = log_marginal(ref, np.ones(ref.shape, dtype=bool), self.choice_.a)
        return log_prob_per_char(view.target) - log_px

    def derived(self) -> dict[str, float | int | str]:
        choice = getattr(self, "choice_", None)
        return {} if choice is None else {"a": choice.a, "a_source": choice.source}


def random_halves(n: int, models: int, rng: np.random.Generator) -> np.ndarray:
    """(models, n) in-masks: models in pairs, each pair splits the candidates into complementary halves,
    so every candidate is in for half the references and out for the other half."""
    masks = np.zeros((models, n), dtype=bool)
    for j in range(0, models, 2):
        half = rng.permutation(n) < n // 2
        masks[j] = half
        if j + 1 < models:
            masks[j + 1] = ~half
    return masks
