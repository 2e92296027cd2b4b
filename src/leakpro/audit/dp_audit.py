"""White-box DP-SGD audit: gradient canaries, scored from the training trajectory, give ε lower bounds.

Threat model: the auditor plants m Dirac gradient canaries (see :mod:`leakpro.training.dp_canaries`) and sees
either every privatised update or only the final model. It scores each canary without looking at the secret:

- *every update*: the log-likelihood ratio of "included" against "left out" under the claimed mechanism, summed
  over steps. At each step the canary coordinate is N(0, σ²) (units of C) when the canary was not sampled and
  N(1, σ²) when it was (probability q), so the statistic is Σ_t log(1 − q + q·exp((x_t − ½)/σ²)). It is the
  Neyman–Pearson test for the claimed mechanism; for a broken one it is still a valid (if not optimal) score.
- *final model*: initial − final value of the canary coordinate (descent moves against the canary gradient).

Scores become bounds with :mod:`leakpro.metrics.dp_bounds` (one run: Steinke et al. 2023 and the f-DP analysis
of :mod:`leakpro.metrics.fdp_one_run` for the (ε, δ) and the Gaussian curves, each testing one guess size chosen on
calibration canaries; with several runs also pooled and multi-run Clopper–Pearson). Each bound is computed at
level (1 − confidence) / (number of bounds), so the verdict "claim violated" (some (ε, δ) bound above the claimed
ε; the GDP summary never decides it) errs with probability at most 1 − confidence for a recipe that keeps its
claim. The canaries test the mechanism (clipping, noise, sampling, accounting) where real data has no gradient; a
correct recipe never yields a bound above its claim, whatever the data.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.audit.defences import defence_recipe
from leakpro.config.errors import ConfigIssue
from leakpro.config.recipe import TorchRecipe
from leakpro.config.schema import AuditConfig, DefenceSpec, DPAuditSpec
from leakpro.metrics.dp_bounds import CALIBRATION_SHARE, Method, calibrated_bound, multi_run_bound
from leakpro.results.dp_audit import DPAuditResult, DPBound
from leakpro.training.dp_canaries import (
    CORRECT,
    PLANTED_BUGS,
    CanaryRun,
    Mechanism,
    step_llr,
    train_with_canaries,
)

Observation = Literal["every_update", "final_model"]
OBSERVATIONS: tuple[Observation, ...] = ("every_update", "final_model")


def score_every_update(observed: np.ndarray, sample_rate: float, noise_multiplier: float) -> np.ndarray:
    """Σ over steps (rows) of the log-likelihood ratio of a sampled canary (mean 1) against none, in units of C.

    Training accumulates the same sum on the fly (:attr:`CanaryRun.update_score`); this is for recorded steps.
    """
    x = torch.as_tensor(np.asarray(observed, dtype=np.float64))
    return np.asarray(step_llr(x, sample_rate, noise_multiplier).sum(dim=0).numpy())


def score_final_model(final_change: np.ndarray) -> np.ndarray:
    """Initial − final canary coordinate: the canary's gradient pushes its coordinate down."""
    return -np.asarray(final_change, dtype=np.float64)


def canary_scores(run: CanaryRun, observed: Observation) -> np.ndarray:
    if observed == "every_update":
        return np.asarray(run.update_score, dtype=np.float64)
    return score_final_model(run.final_change)


ONE_RUN_METHODS: tuple[tuple[str, Method], ...] = (("", "steinke"), ("_fdp", "epsilon_delta"), ("_gdp", "gaussian"))


def bounds_from_runs(runs: list[CanaryRun], confidence: float) -> list[DPBound]:
    """Every bound the runs support, each at level (1 − confidence) / (number of bounds).

    One-run analyses: Steinke et al. (``one_run``) and the f-DP analysis of the (ε, δ) curve (``one_run_fdp``)
    and of the Gaussian curve (``one_run_gdp``); with several runs the same over the pooled canaries, and the
    multi-run Clopper–Pearson bound.
    """
    sources = ["one_run"] + (["one_run_pooled"] if len(runs) > 1 else [])
    analyses = [s + suffix for s in sources for suffix, _ in ONE_RUN_METHODS] + (["multi_run"] if len(runs) > 1 else [])
    each = 1 - (1 - confidence) / (len(analyses) * len(OBSERVATIONS))
    claim, delta = runs[0].claimed_epsilon, runs[0].delta
    out: list[DPBound] = []
    for observed in OBSERVATIONS:
        scores = [canary_scores(r, observed) for r in runs]
        included = [r.included for r in runs]
        if len(runs) > 1:
            multi = multi_run_bound(scores, included, delta=delta, confidence=each)
            out.append(DPBound(observed=observed, analysis="multi_run", epsilon_lower_bound=multi.epsilon,
                               guesses=len(runs), correct=multi.true_positives, tried=1,
                               false_positives=multi.false_positives, claim_violated=multi.epsilon > claim))
        for source in sources:
            s, inc = (scores[0], included[0]) if source == "one_run" else (
                np.concatenate(scores), np.concatenate(included))
            for suffix, method in ONE_RUN_METHODS:
                one = calibrated_bound(s, inc, delta=delta, method=method, confidence=each)
                proves: Literal["epsilon_delta", "not_gdp"] = "not_gdp" if method == "gaussian" else "epsilon_delta"
                out.append(DPBound(observed=observed, analysis=source + suffix,  # type: ignore[arg-type]
                                   proves=proves, mu_lower_bound=one.mu, epsilon_lower_bound=one.epsilon,
                                   guesses=one.guesses, correct=one.correct, tried=one.tried,
                                   calibration=one.calibration, in_only=one.in_only, false_positives=None,
                                   claim_violated=proves == "epsilon_delta" and one.epsilon > claim))
    return out


def audit_recipe(variant: str, recipe: TorchRecipe, features: np.ndarray, labels: np.ndarray, n_classes: int,
                 spec: DPAuditSpec, seed: int, mechanism: Mechanism = CORRECT) -> DPAuditResult:
    """Train ``spec.runs`` canary runs of the recipe (or a planted bug of it) and bound ε (see the module)."""
    runs = [train_with_canaries(recipe, features, labels, n_classes, canaries=spec.canaries,
                                canary_norm=spec.canary_norm, seed=seed + 1000 * j, mechanism=mechanism)
            for j in range(spec.runs)]
    bounds = bounds_from_runs(runs, spec.confidence)
    first = runs[0]
    return DPAuditResult(
        variant=variant, mechanism=mechanism.name, claimed_epsilon=first.claimed_epsilon, delta=first.delta,
        confidence=spec.confidence, canaries=spec.canaries, canary_norm=spec.canary_norm, runs=spec.runs,
        included=int(sum(r.included.sum() for r in runs)), noise_multiplier=first.noise_multiplier,
        sample_rate=first.sample_rate, steps=first.steps, max_grad_norm=first.max_grad_norm, bounds=bounds,
        claim_violated=any(b.claim_violated for b in bounds), assumptions=assumptions(first, spec, len(bounds)),
        seed=seed,
    )


def assumptions(run: CanaryRun, spec: DPAuditSpec, n_bounds: int) -> list[str]:
    """What the bounds of one audit assume, in words (for results.json and the report)."""
    each = 1 - (1 - spec.confidence) / n_bounds
    return [
        "every_update: the auditor observes the privatised gradient of every step (what DP-SGD's analysis "
        "protects); final_model: it observes only the initial and final model.",
        f"{spec.canaries:,} Dirac gradient canaries per run (norm {spec.canary_norm:g}·C on one coordinate the model "
        f"never reads), each included independently with probability 1/2 and, like every record, sampled into "
        f"each step with probability q = {run.sample_rate:.4g}; {spec.runs} independent run(s) of {run.steps} steps.",
        f"Claimed ε: the RDP accountant's for noise multiplier {run.noise_multiplier:.4g}, the recipe's sampling rate "
        f"and steps, δ = {run.delta:g} (add/remove neighbours).",
        f"Each of the {n_bounds} bounds holds with probability {each:.4g} (one-run: Steinke et al. 2023 at δ = "
        f"{run.delta:g}, and the f-DP analysis of Mahloujifar et al. 2024 of the (ε, δ) and Gaussian trade-off "
        f"curves; each tests one guess size, chosen on the first {CALIBRATION_SHARE:.0%} of the canaries, which "
        f"then do not count); the verdict 'claim violated' (an (ε, δ) bound above the claimed ε) holds at "
        f"confidence {spec.confidence:g}.",
        "one_run_gdp rejects μ-GDP for μ up to its mu_lower_bound and reports that curve's ε at δ: a lower bound on ε "
        "only when the mechanism's trade-off curve is Gaussian (q = 1: T Gaussian steps); with Poisson-subsampled "
        "steps it is the empirical-GDP summary and never decides the verdict.",
        "The canaries test the mechanism (clipping, noise, sampling, accounting), not the data: a bound below the "
        "claim does not show the claim is tight.",
    ]


def mechanisms(spec: DPAuditSpec) -> list[Mechanism]:
    """The recipe as configured, then each requested planted bug."""
    return [CORRECT, *(PLANTED_BUGS[name] for name in spec.planted_bugs)]


def dp_recipes(config: AuditConfig) -> list[tuple[str, TorchRecipe]]:
    """The DP recipes the section audits: the target's (when it has dp) and each training-side DP defence's."""
    recipes: list[tuple[str, TorchRecipe]] = []
    if config.target.recipe is not None and config.target.recipe.dp is not None:
        recipes.append(("target", config.target.recipe))
    for spec in config.defences:
        recipe = defence_recipe(config, spec) if config.target.recipe is not None else None
        if recipe is not None and recipe.dp is not None:
            recipes.append((spec.name, recipe))
    return recipes


def run_dp_audits(config: AuditConfig, features: np.ndarray, labels: np.ndarray, n_classes: int) -> list[DPAuditResult]:
    """The ``dp_audit`` section: every DP recipe on the members, then each planted bug of the first recipe."""
    spec = config.dp_audit
    assert spec is not None
    x = np.asarray(features, dtype=np.float32)
    out: list[DPAuditResult] = []
    for i, (name, recipe) in enumerate(dp_recipes(config)):
        chosen = mechanisms(spec) if i == 0 else [CORRECT]
        out += [audit_recipe(name, recipe, x, labels, n_classes, spec, config.seed + 11, m) for m in chosen]
    return out


def check_dp_audit(config: AuditConfig, issues: list[ConfigIssue]) -> None:
    """dp_audit needs LeakPro to train a torch target with a DP recipe (on the target or a defence)."""
    if config.dp_audit is None:
        return
    spec = config.target
    if not (spec.train and spec.kind == "torch" and spec.recipe is not None):
        issues.append(ConfigIssue("dp_audit", "the canary audit retrains the DP recipe",
                                  "use target.train: true with a torch recipe, or drop dp_audit"))
    elif not any(r.dp is not None for r in [spec.recipe] + [defence_recipe_or_none(config, d) for d in config.defences]
                 if r is not None):
        issues.append(ConfigIssue("dp_audit", "no DP recipe to audit",
                                  "set target.recipe.dp (or a defence with recipe.dp), or drop dp_audit"))


def defence_recipe_or_none(config: AuditConfig, spec: DefenceSpec) -> TorchRecipe | None:
    try:
        return defence_recipe(config, spec)
    except ValueError:  # an invalid override: check_defences reports it
        return None


register_card(AttackCard(
    family="DP auditing", name="dp_audit", title="White-box DP-SGD audit (Dirac gradient canaries, ε lower bound)",
    paper="Steinke, Nasr & Jagielski 2023 (one run); Mahloujifar, Melis & Chaudhuri 2024 (f-DP in one run)",
    threat_model="the auditor injects gradient canaries into DP-SGD and observes every update or the final model",
    params=DPAuditSpec,
))
