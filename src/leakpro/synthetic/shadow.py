"""Shadow-modelling membership inference on a synthetic-data *generator* (TAPAS / Groundhog threat model).

Threat model (Stadler et al. 2022, "Synthetic data — anonymisation groundhog day"; Houssiau et al. 2022,
"TAPAS"): the attacker knows the generator (can run it), holds auxiliary records from the population and a
target record x, and sees one synthetic table; it asks whether x was in the generator's training table.

The audit, for each target x:

1. draws ``train_tables`` shadow training tables of ``rows`` records from the attacker's auxiliary half of
   the data, adds x to half of them (D vs D ∪ {x}: add/remove-one neighbours), runs the generator on each
   (``synthetic_rows`` rows, fixed, so the output size never reveals membership), and computes the features
   of :mod:`leakpro.synthetic.shadow_features` on every synthetic table;
2. trains a classifier (random forest, or logistic regression) on them: "with x" vs "without x";
3. plays the game on ``eval_tables`` fresh tables drawn from the *challenger's* half of the data (disjoint
   from the attacker's, never trained on), x added to half of them; the challenger scores the classifier
   with AUC and TPR at FPR ≤ 1 % (:func:`leakpro.metrics.summary.membership_metrics`), and scores DCR and
   DOMIAS on the very same evaluation tables, so the three are compared on one release each time.

Targets (Meeus et al. 2023, "Achilles' heels"): the records with the largest mean Gower distance to their
``neighbours`` nearest records in the data ("worst-case"), beside records drawn at random from the rest. The
choice reads the data only, never membership or the attack's results.

Runs go through an :class:`~leakpro.compute.Executor` (in-process, process pool, Ray) and, with ``cache_dir``,
each run's features are stored as ``.npy`` under a key hashing the generator spec, the data, the settings and
the seed, so a re-run redoes only the runs whose file is missing.

>>> # audit_generator(GeneratorSpec(kind="copula"), adult_frame, ShadowSettings(targets=2), seed=0)
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from leakpro.compute.local import LocalExecutor
from leakpro.compute.protocol import Executor
from leakpro.metrics.roc import auc_delong_interval
from leakpro.metrics.summary import membership_metrics
from leakpro.synthetic.columns import nearest_neighbours
from leakpro.synthetic.domain import Domain
from leakpro.synthetic.generator import GeneratorSpec, fit_sample
from leakpro.synthetic.generator_results import AttackFigures
from leakpro.synthetic.shadow_features import FEATURE_SETS, baseline_scores, table_features

ProgressFn = Callable[[str, int, int], None]  # (stage, done, total)


class ShadowSettings(BaseModel):
    """Sizes of the generator audit (the ``synthetic.shadow`` config section)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: int = Field(default=5, ge=0)  # worst-case (most isolated) target records
    random_targets: int = Field(default=5, ge=0)  # target records drawn at random, for comparison
    rows: int = Field(default=300, ge=10)  # records in each training table (the target is added to half)
    synthetic_rows: int | None = Field(default=None, ge=10)  # rows sampled from each fit (default: rows)
    train_tables: int = Field(default=100, ge=10)  # shadow tables per target the attacker trains on
    eval_tables: int = Field(default=100, ge=10)  # fresh tables per target the attack is scored on
    features: tuple[str, ...] = FEATURE_SETS
    classifier: Literal["random_forest", "logistic"] = "random_forest"
    neighbours: int = Field(default=5, ge=1)  # k of the vulnerability score
    candidates: int = Field(default=3000, ge=10)  # records scored for vulnerability (a random sample)
    epsilon_runs: int = Field(default=1000, ge=40)  # DP audit: runs scored (half choose the threshold)
    epsilon_train_runs: int = Field(default=300, ge=20)  # DP audit: runs the attack classifier trains on
    epsilon_synthetic_rows: int | None = Field(default=None, ge=10)  # DP audit: rows per fit (default 10 × rows)
    epsilon_features: tuple[str, ...] = ("query",)
    epsilon_classifier: Literal["random_forest", "logistic"] = "logistic"
    confidence: float = Field(default=0.95, gt=0.5, lt=1)

    @field_validator("features", "epsilon_features")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [f for f in value if f not in FEATURE_SETS]
        if unknown or not value:
            raise ValueError(f"feature sets must be a non-empty subset of {list(FEATURE_SETS)}, got {list(value)}")
        return value

    @property
    def n_synthetic(self) -> int:
        """Rows sampled from each fit."""
        return self.synthetic_rows or self.rows


@dataclass(frozen=True)
class ShadowContext:
    """What every run needs, sent once per worker."""

    spec: GeneratorSpec
    domain: Domain
    aux: pd.DataFrame
    pool: pd.DataFrame
    targets: pd.DataFrame
    reference: np.ndarray  # the attacker's auxiliary records as domain values (DOMIAS' REF)
    rows: int
    synthetic_rows: int
    features: tuple[str, ...]
    baselines: bool = True  # score DCR and DOMIAS too (the ε audit does not need them)

    @functools.cached_property
    def target_cells(self) -> tuple[np.ndarray, np.ndarray]:
        """The targets' domain cells and values (row ``t`` is target ``t``), worked out once, not on every run."""
        cells = self.domain.cells(self.targets)
        return cells, self.domain.numeric(self.targets, cells)


@dataclass(frozen=True)
class ShadowJob:
    """One train/generate run: a table from ``source`` (or the ``fixed`` pool rows), with target x or not."""

    target: int
    source: Literal["aux", "pool"]
    member: bool
    seed: int
    fixed: tuple[int, ...] | None = None


def shadow_run(ctx: ShadowContext, job: ShadowJob) -> np.ndarray:
    """Fit the generator on one table and return its features, then the (DCR, DOMIAS) scores (0, 0 without
    ``ctx.baselines``), for the target."""
    rng = np.random.default_rng(job.seed)
    source = ctx.aux if job.source == "aux" else ctx.pool
    rows = np.asarray(job.fixed) if job.fixed is not None else rng.choice(len(source), ctx.rows, replace=False)
    train = source.iloc[rows]
    if job.member:
        train = pd.concat([train, ctx.targets.iloc[[job.target]]])
    train = train.iloc[rng.permutation(len(train))].reset_index(drop=True)  # x is not always the last row
    syn = fit_sample(ctx.spec, train, ctx.synthetic_rows, int(rng.integers(2**31 - 1)), ctx.domain)
    cells = ctx.domain.cells(syn)
    values = ctx.domain.numeric(syn, cells)
    x_cells, x_values = (part[job.target] for part in ctx.target_cells)
    feats = table_features(ctx.domain, cells, values, x_cells, x_values, ctx.features)
    dcr, domias = baseline_scores(ctx.domain, values, x_values, ctx.reference) if ctx.baselines else (0.0, 0.0)
    return np.concatenate([feats, [dcr, domias]])


def job_seed(seed: int, *parts: int) -> int:
    """A run's seed from the audit seed and the run's coordinates."""
    return int(np.random.SeedSequence([seed, *parts]).generate_state(1)[0])


def run_jobs(ctx: ShadowContext, jobs: dict[str, ShadowJob], executor: Executor, cache: Path | None,
             progress: ProgressFn | None = None, stage: str = "") -> dict[str, np.ndarray]:
    """Every job's features, from the cache where present, the rest through ``executor`` (and into the cache)."""
    out: dict[str, np.ndarray] = {}
    todo: list[tuple[str, ShadowJob]] = []
    for job_id, job in jobs.items():
        path = cache / f"{job_id}.npy" if cache is not None else None
        if path is not None and path.is_file():
            out[job_id] = np.load(path)
        else:
            todo.append((job_id, job))
    for job_id, feats in executor.map(shadow_run, todo, shared=ctx):
        out[job_id] = feats
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            np.save(cache / f"{job_id}.npy", feats)
        if progress is not None:
            progress(stage, len(out), len(jobs))
    return out


def cache_key(spec: GeneratorSpec, data: pd.DataFrame, settings: ShadowSettings, seed: int, extra: str = "") -> str:
    """A hash of everything a run's features depend on."""
    h = hashlib.sha256()
    h.update(spec.model_dump_json().encode())
    h.update(settings.model_dump_json().encode())
    h.update(json.dumps([seed, extra, [str(c) for c in data.columns]]).encode())
    h.update(pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes())
    return h.hexdigest()[:20]


def vulnerability(frame: pd.DataFrame, domain: Domain, candidates: np.ndarray, neighbours: int) -> np.ndarray:
    """Mean Gower distance from each candidate row to its ``neighbours`` nearest other rows (Meeus et al. 2023)."""
    values = domain.numeric(frame)
    _, dist = nearest_neighbours(values[candidates], values, domain.categorical_mask(),
                                 np.ones(len(domain.columns)), neighbours + 1)
    return dist[:, 1:].mean(axis=1)  # the nearest is the candidate itself (distance 0)


@dataclass(frozen=True)
class Targets:
    """The chosen target rows of the data, their kind and vulnerability score."""

    rows: np.ndarray
    chosen: list[Literal["worst-case", "random"]]
    scores: np.ndarray


def choose_targets(frame: pd.DataFrame, settings: ShadowSettings, seed: int) -> Targets:
    """The ``targets`` most isolated candidates and ``random_targets`` others drawn at random."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x7A6]))
    domain = Domain.from_frame(frame)  # the auditor's own view of the data, only to rank records
    candidates = np.sort(rng.choice(len(frame), min(settings.candidates, len(frame)), replace=False))
    score = vulnerability(frame, domain, candidates, settings.neighbours)
    order = np.lexsort((candidates, -score))  # most isolated first, ties by row
    worst = order[: settings.targets]
    rest = order[settings.targets:]
    random = rng.choice(rest, min(settings.random_targets, len(rest)), replace=False)
    picked = np.concatenate([worst, random]).astype(np.int64)
    worst_case: Literal["worst-case", "random"] = "worst-case"
    at_random: Literal["worst-case", "random"] = "random"
    chosen = [worst_case] * len(worst) + [at_random] * len(random)
    return Targets(candidates[picked], chosen, score[picked])


def classifier(kind: str, seed: int) -> Any:
    """The attack's classifier: a random forest (TAPAS, Groundhog) or a scaled logistic regression."""
    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=5000))
    return RandomForestClassifier(n_estimators=200, min_samples_leaf=2, random_state=seed, n_jobs=1)


def attack_scores(train: np.ndarray, labels: np.ndarray, test: np.ndarray, kind: str, seed: int) -> np.ndarray:
    """Scores (probability of "with x") of ``test`` from a classifier fit on ``train``/``labels``."""
    model = classifier(kind, seed).fit(train, labels)
    return np.asarray(model.predict_proba(test)[:, 1], dtype=np.float64)


def figures(scores: np.ndarray, members: np.ndarray, family_size: int) -> AttackFigures:
    """AUC and TPR at FPR ≤ 1 % with LeakPro's intervals, and the AUC's simultaneous lower end."""
    m = membership_metrics(scores, members)
    op = next(p for p in m["tpr_at_fpr"] if p.fpr_level == 0.01)
    low = auc_delong_interval(scores, members, 1 - 0.05 / max(family_size, 1))[1]
    return AttackFigures(auc=m["auc"], tpr_at_1pct=op.tpr, auc_simultaneous_low=low)


def labelled(jobs: Iterable[tuple[str, ShadowJob]], feats: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(feature matrix, member labels) of ``jobs`` in order."""
    pairs = list(jobs)
    return np.stack([feats[j] for j, _ in pairs]), np.array([job.member for _, job in pairs], dtype=bool)


def default_executor(executor: Executor | None) -> Executor:
    """``executor``, or the in-process one."""
    return executor if executor is not None else LocalExecutor()
