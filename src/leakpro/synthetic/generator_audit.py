"""Audit a generator: the shadow-modelling MIA per target (:mod:`leakpro.synthetic.shadow`) and, for a generator
that states a DP ε, an ε lower bound from the same attack on the worst-case record.

**ε lower bound (Annamalai et al. 2024, "What do you want from theory alone?"; Nasr et al. 2021).** Fix one
neighbouring pair: a table D of ``rows`` records from the challenger's half and D ∪ {x}, x the most isolated
target. Every run fits the generator afresh (fresh randomness) on D or D ∪ {x} (alternating) and samples a
table of ``epsilon_synthetic_rows`` rows (default 10 × ``rows``: a larger release shows the attacker more);
runs are independent. The attack is the shadow classifier on ``epsilon_features`` (default the counting
queries around x, fixed in advance: the features a marginals-based generator's noise acts on) with
``epsilon_classifier`` (default logistic regression). The attacker trains its classifier on
``epsilon_train_runs`` runs, then scores ``epsilon_runs`` further runs;
:func:`leakpro.metrics.epsilon.epsilon_lower_bound` chooses the threshold and direction on a random half of
those and counts on the other half, with one-sided Clopper–Pearson bounds on
TPR and FPR (each at 1 − (1 − confidence)/2): ε ≥ ln((TPR_low − δ)/FPR_high). An (ε, δ)-DP generator keeps
this below its ε with probability at least ``confidence``. The bound is valid for the generator *as run*
(its domain, structure and output size); it is a lower bound, not an estimate of the true ε, and it cannot
exceed the ``ceiling`` that the number of counted runs allows (about ln(n/ln(2/α)) for n per side).

>>> from leakpro.data.adult import load_adult_frame
>>> df = load_adult_frame("train")[["age", "sex", "race", "income"]].sample(1200, random_state=0)
>>> s = ShadowSettings(targets=1, random_targets=0, rows=100, train_tables=20, eval_tables=20)
>>> audit_generator(GeneratorSpec(kind="copula"), df.reset_index(drop=True), s, seed=0).targets[0].chosen
'worst-case'
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.compute.protocol import Executor
from leakpro.metrics.dp_bounds import clopper_pearson_epsilon
from leakpro.metrics.epsilon import epsilon_lower_bound
from leakpro.metrics.roc import delong_paired
from leakpro.results.types import Interval
from leakpro.synthetic.domain import Domain
from leakpro.synthetic.generator import GeneratorSpec, generator_problems, stated_privacy
from leakpro.synthetic.generator_results import EpsilonAudit, GeneratorAudit, TargetExposure
from leakpro.synthetic.shadow import (
    ProgressFn,
    ShadowContext,
    ShadowJob,
    ShadowSettings,
    Targets,
    attack_scores,
    cache_key,
    choose_targets,
    default_executor,
    figures,
    job_seed,
    labelled,
    run_jobs,
)

REFERENCE_ROWS = 1000  # auxiliary records DOMIAS' reference density is estimated from


def split_data(spec: GeneratorSpec, data: pd.DataFrame, targets: Targets, settings: ShadowSettings,
               seed: int) -> ShadowContext | str:
    """Halve the non-target records into the attacker's auxiliary data and the challenger's pool."""
    rest = np.setdiff1d(np.arange(len(data)), targets.rows)
    rest = np.random.default_rng(np.random.SeedSequence([seed, 0xA0C])).permutation(rest)
    aux, pool = data.iloc[np.sort(rest[: len(rest) // 2])], data.iloc[np.sort(rest[len(rest) // 2:])]
    if min(len(aux), len(pool)) < settings.rows:
        return (f"the data have {len(data)} rows: each half ({len(aux)}, {len(pool)}) needs at least rows="
                f"{settings.rows}; fix: lower synthetic.shadow.rows or give more data")
    domain = Domain.from_frame(aux, bins=spec.bins)  # public to the attacker: the generator's domain comes from here
    reference = domain.numeric(aux.iloc[: REFERENCE_ROWS])
    return ShadowContext(spec, domain, aux.reset_index(drop=True), pool.reset_index(drop=True),
                         data.iloc[targets.rows].reset_index(drop=True), reference, settings.rows,
                         settings.n_synthetic, settings.features)


def _values(row: pd.Series) -> dict[str, str]:
    return {str(k): str(v) for k, v in row.items()}


def audit_generator(spec: GeneratorSpec, data: pd.DataFrame, settings: ShadowSettings | None = None, *,
                    seed: int = 0, executor: Executor | None = None, cache_dir: Path | None = None,
                    progress: ProgressFn | None = None, epsilon_seeds: int = 1) -> GeneratorAudit:
    """The shadow-MIA on each chosen target and, for a stated ε, the ε lower bound; see the module."""
    start = time.perf_counter()
    settings = settings or ShadowSettings()
    problems = generator_problems(spec)
    if settings.targets + settings.random_targets < 1:
        problems.append("synthetic.shadow: targets + random_targets must be at least 1")
    if problems:
        raise ValueError("; ".join(problems))
    data = data.reset_index(drop=True)
    targets = choose_targets(data, settings, seed)
    ctx = split_data(spec, data, targets, settings, seed)
    if isinstance(ctx, str):
        raise ValueError(ctx)
    run = default_executor(executor)
    cache = Path(cache_dir) / cache_key(spec, data, settings, seed) if cache_dir is not None else None
    jobs: dict[str, ShadowJob] = {}
    for t in range(len(targets.rows)):
        for role, source, n in ((0, "aux", settings.train_tables), (1, "pool", settings.eval_tables)):
            for i in range(n):
                jobs[f"t{t}-{source}-{i}"] = ShadowJob(t, source, i % 2 == 0, job_seed(seed, t, role, i))  # type: ignore[arg-type]
    feats = run_jobs(ctx, jobs, run, cache, progress, "shadow tables")
    exposures = []
    k = len(targets.rows)
    for t in range(k):
        train = [(j, job) for j, job in jobs.items() if job.target == t and job.source == "aux"]
        test = [(j, job) for j, job in jobs.items() if job.target == t and job.source == "pool"]
        x_train, y_train = labelled(train, feats)
        x_test, y_test = labelled(test, feats)
        scores = attack_scores(x_train[:, :-2], y_train, x_test[:, :-2], settings.classifier, job_seed(seed, t, 9))
        exposures.append(TargetExposure(
            record=int(targets.rows[t]), chosen=targets.chosen[t], vulnerability=float(targets.scores[t]),
            values=_values(data.iloc[int(targets.rows[t])]), shadow=figures(scores, y_test, k),
            dcr=figures(x_test[:, -2], y_test, k), domias=figures(x_test[:, -1], y_test, k),
            shadow_minus_dcr=paired_difference(scores, x_test[:, -2], y_test),
            train_tables=len(train), eval_tables=len(test)))
    eps: list[EpsilonAudit] = []
    claim = stated_privacy(spec)
    if claim is not None and "worst-case" in targets.chosen:
        for s in range(epsilon_seeds):
            eps.append(epsilon_audit(ctx, targets, settings, claim, seed + s, run, cache, progress))
    return GeneratorAudit(
        generator=spec.label, spec=spec.model_dump(mode="json"), settings=settings.model_dump(mode="json"),
        targets=exposures, epsilon=eps, verdict=verdict(exposures, eps), notes=_notes(spec, settings),
        seed=seed, runtime_s=round(time.perf_counter() - start, 3))


def epsilon_audit(ctx: ShadowContext, targets: Targets, settings: ShadowSettings, claim: tuple[float, float],
                  seed: int, executor: Executor, cache: Path | None = None,
                  progress: ProgressFn | None = None) -> EpsilonAudit:
    """The ε lower bound on the most isolated target with one fixed D (see the module)."""
    t = targets.chosen.index("worst-case")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xE05]))
    fixed = tuple(int(i) for i in np.sort(rng.choice(len(ctx.pool), ctx.rows, replace=False)))
    jobs = {f"eps{seed}-{role}-{i}": ShadowJob(t, "pool", i % 2 == 0, job_seed(seed, 0xE, code, i), fixed)
            for code, role, n in ((0, "train", settings.epsilon_train_runs), (1, "score", settings.epsilon_runs))
            for i in range(n)}
    n_syn = settings.epsilon_synthetic_rows or 10 * settings.rows
    ctx = replace(ctx, synthetic_rows=n_syn, features=settings.epsilon_features, baselines=False)
    feats = run_jobs(ctx, jobs, executor, cache / "epsilon" if cache else None, progress, f"ε runs (seed {seed})")
    x_train, y_train = labelled([(j, b) for j, b in jobs.items() if "-train-" in j], feats)
    x_test, y_test = labelled([(j, b) for j, b in jobs.items() if "-score-" in j], feats)
    scores = attack_scores(x_train[:, :-2], y_train, x_test[:, :-2], settings.epsilon_classifier,
                           job_seed(seed, 0xE, 9))
    stated, delta = claim
    bound = epsilon_lower_bound(scores, y_test, delta=delta, confidence=settings.confidence, seed=seed)
    half = bound.trials + bound.error_trials
    ceiling = clopper_pearson_epsilon(half // 2, half // 2, 0, half - half // 2, delta=delta,
                                      confidence=settings.confidence)
    return EpsilonAudit(
        stated_epsilon=stated, delta=delta, record=int(targets.rows[t]), epsilon_lower=bound.epsilon,
        confidence=settings.confidence, threshold_runs=len(scores) // 2, counted_runs=len(scores) - len(scores) // 2,
        train_runs=len(x_train), successes=bound.successes, trials=bound.trials, errors=bound.errors,
        error_trials=bound.error_trials, direction=bound.direction, ceiling=ceiling, synthetic_rows=n_syn,
        features=list(settings.epsilon_features), violated=bound.epsilon > stated, seed=seed)


def paired_difference(first: np.ndarray, second: np.ndarray, members: np.ndarray) -> Interval:
    """AUC(first) − AUC(second) on the same tables with its paired DeLong 95 % interval."""
    diff, se = delong_paired(first, second, members)
    half = 1.959963984540054 * se
    return Interval(value=diff, low=max(-1.0, diff - half), high=min(1.0, diff + half), method="paired delong")


def verdict(targets: list[TargetExposure], eps: list[EpsilonAudit]) -> str:
    """One plain sentence (or two): is membership shown, is the DP claim contradicted."""
    worst = [t for t in targets if t.chosen == "worst-case"]
    exposed = [t for t in targets if t.exposed]
    if exposed:
        top = max(exposed, key=lambda t: t.shadow.auc.value)
        text = (f"Leaks membership: the shadow attack tells tables with a record from tables without it for "
                f"{len(exposed)} of {len(targets)} targets ({sum(t.chosen == 'worst-case' for t in exposed)} of "
                f"{len(worst)} worst-case); highest AUC {top.shadow.auc.value:.2f} (record {top.record}).")
    else:
        text = (f"No membership leakage shown on {len(targets)} targets: every AUC interval reaches 0.5 "
                "(absence of evidence at these sizes, not proof of privacy).")
    if eps:
        hi = max(eps, key=lambda e: e.epsilon_lower)
        if any(e.violated for e in eps):
            text += (f" DP claim contradicted: ε ≥ {hi.epsilon_lower:.2f} at {hi.confidence:.0%} confidence, above "
                     f"the stated ε = {hi.stated_epsilon:g}.")
        else:
            text += (f" DP claim not contradicted: largest ε lower bound {hi.epsilon_lower:.2f} ≤ stated ε = "
                     f"{hi.stated_epsilon:g} over {len(eps)} audit seed(s).")
            if hi.ceiling <= hi.stated_epsilon:
                text += (f" With these runs no bound above {hi.ceiling:.2f} was reachable, so this audit could not "
                         "have contradicted the claim: run more ε runs to test it.")
    return text


def _notes(spec: GeneratorSpec, settings: ShadowSettings) -> list[str]:
    notes = [f"Each target: {settings.train_tables} shadow tables from the attacker's half of the data, "
             f"{settings.eval_tables} evaluation tables from the challenger's half; training tables of "
             f"{settings.rows} records (+ the target in half), {settings.n_synthetic} synthetic rows each."]
    if spec.kind == "dp_marginals_broken":
        notes.append("dp_marginals_broken adds 10× too little noise for its stated ε: a planted bug the ε audit "
                     "must catch.")
    return notes


register_card(AttackCard(
    family="synthetic data", name="shadow_generator", title="Shadow-modelling MIA on the generator (TAPAS/Groundhog)",
    paper="Stadler et al., Synthetic Data – Anonymisation Groundhog Day, USENIX Security 2022; Houssiau et al., "
          "TAPAS, 2022; Meeus et al., Achilles' Heels, ESORICS 2023",
    threat_model="the generator (run at will), auxiliary population records, a target record and one synthetic "
                 "table", params=ShadowSettings,
    question="was record x in the data the generator was fit on (worst-case and random targets)?",
))
register_card(AttackCard(
    family="DP auditing", name="generator_epsilon", title="ε lower bound of a DP synthetic-data generator",
    paper="Annamalai et al., What do you want from theory alone? Auditing DP synthetic data, 2024; Nasr et al. 2021",
    threat_model="the generator run many times on one neighbouring pair (D, D ∪ {x}), x the most isolated record",
    params=ShadowSettings,
    question="does the generator keep its stated ε (Clopper–Pearson bound from independent runs)?",
))
