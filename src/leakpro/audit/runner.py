"""Run a planned audit: train the target(s) and reference models once, run every attack, score, save."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import leakpro
from leakpro.audit.api_attacks import run_extraction_section, run_property_section
from leakpro.audit.defences import TargetSetup, defence_recipe, defence_setups
from leakpro.audit.environment import package_versions
from leakpro.audit.model_inversion import run_attribute_section, run_inversion_section
from leakpro.audit.one_run import one_run_audit
from leakpro.audit.plan import AuditPlan, build_plan, parse_config
from leakpro.audit.progress import ProgressSink, SilentProgress
from leakpro.compute import make_executor
from leakpro.config.schema import AuditConfig
from leakpro.game.view import AttackerView, QueryOracle, ThreatModel
from leakpro.metrics.epsilon import epsilon_lower_bound
from leakpro.metrics.summary import membership_metrics
from leakpro.results.types import (
    AttackResult,
    AuditResult,
    DataSummary,
    EpsilonLowerBound,
    OneRunResult,
    ReferenceSummary,
    RiskUtility,
    TargetResult,
)
from leakpro.signals.reference import ReferenceBank
from leakpro.targets.protocol import Target
from leakpro.training.trainers import TorchTrainer, Trainer

DEFAULT_DELTA = 1e-5  # δ for ε lower bounds of targets without a DP accountant


def _accuracy(target: Target, plan: AuditPlan, rows: np.ndarray) -> float:
    ds = plan.game.dataset.subset(rows)
    return float((target.predict(ds.features) == ds.labels).mean())


def _train_targets(plan: AuditPlan, progress: ProgressSink) -> list[tuple[str, str, Target]]:
    game, seed = plan.game, plan.config.seed
    if plan.target is not None:
        return [("target", "target", plan.target)]
    assert plan.trainer is not None
    progress.stage("training the target")
    members = game.dataset.subset(game.member_indices())
    targets = [("target", "target", plan.trainer.fit(members.features, members.labels, seed))]
    if plan.null_train is not None:
        progress.stage("training the null target")
        null = game.dataset.subset(plan.null_train)
        targets.append(("null", "null", plan.trainer.fit(null.features, null.labels, seed + 1)))
    return targets


def _epsilon(scores: np.ndarray, members: np.ndarray, delta: float, seed: int) -> EpsilonLowerBound:
    bound = epsilon_lower_bound(scores, members, delta=delta, seed=seed)
    return EpsilonLowerBound(**vars(bound))


def _audit_target(plan: AuditPlan, setup: TargetSetup, progress: ProgressSink) -> tuple[TargetResult, pd.DataFrame]:
    game, seed = plan.game, plan.config.seed
    records = game.attacker_records()
    oracle = QueryOracle(setup.target, setup.threat)
    privacy = getattr(setup.target, "privacy", None)
    delta = privacy["delta"] if privacy else DEFAULT_DELTA

    def refs(k: int) -> Any:
        if setup.references is None:
            raise RuntimeError("this audit has no reference-model recipe")
        return setup.references(k)

    view = AttackerView(setup.threat, records, game.n_candidates, oracle, refs, seed)
    labels = records.labels[: game.n_candidates]
    scores = pd.DataFrame({"record": game.candidates, "member": game.members, "label": labels})
    attacks = [a for a in plan.attacks if setup.threat in a.attack.threat_models]
    results = []
    for i, spec in enumerate(attacks):
        progress.attack(setup.name, spec.id, i, len(attacks))
        before, start = oracle.queries, time.perf_counter()
        s = spec.attack.run(view)
        runtime = time.perf_counter() - start
        scores[spec.id] = s
        derived = {k: v for k, v in vars(spec.attack).items() if k.endswith("_") and not k.startswith("_")}
        results.append(AttackResult(
            id=spec.id, attack=spec.attack.name, title=spec.attack.title, paper=spec.attack.paper,
            threat_model=setup.threat.value, params=spec.attack.params.model_dump(), derived=derived, seed=seed,
            runtime_s=round(runtime, 4), queries=oracle.queries - before, scores_column=spec.id,
            epsilon_lower_bound=_epsilon(s, game.members, delta, seed), **membership_metrics(s, game.members),
        ))
    progress.attack(setup.name, "", len(attacks), len(attacks))
    cand = game.candidates
    members, non_members = cand[game.members], cand[~game.members]
    return TargetResult(
        name=setup.name, role=setup.role, description=setup.target.describe(),  # type: ignore[arg-type]
        train_accuracy=_accuracy(setup.target, plan, members),
        test_accuracy=_accuracy(setup.target, plan, non_members),
        scores_file=f"scores/{setup.name}.csv", threat_model=setup.threat.value,
        defence=setup.defence, privacy=privacy, attacks=results,
    ), scores


def run_plan(plan: AuditPlan, out: Path | None, cache_dir: Path | None,
             progress: ProgressSink | None = None) -> AuditResult:
    progress = progress or SilentProgress()
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    targets = _train_targets(plan, progress)
    stages["train_targets"] = time.perf_counter() - t0
    game, cfg = plan.game, plan.config

    def make_bank(trainer: Trainer) -> ReferenceBank:
        return ReferenceBank(game.attacker_records(), game.n_candidates, trainer, cfg.seed,
                             cache_dir / "cache" if cache_dir else None, progress.models,
                             executor=make_executor(cfg.executor), batched=cfg.executor.batched)

    bank = make_bank(plan.trainer) if plan.trainer is not None else None
    t0 = time.perf_counter()
    if bank is not None and plan.reference_models:
        progress.stage(f"training {plan.reference_models} reference models")
        bank.signals(plan.reference_models)
    stages["reference_models"] = time.perf_counter() - t0
    threat = ThreatModel(cfg.threat_model)
    setups = [TargetSetup(n, r, t, threat, bank.signals if bank else None) for n, r, t in targets]
    if cfg.defences:
        t0 = time.perf_counter()
        progress.stage(f"training {len(cfg.defences)} defended variant(s)")
        members = game.dataset.subset(game.member_indices())
        setups += defence_setups(cfg, targets[0][2], (members.features, members.labels),
                                 bank.signals if bank else None, lambda tr: make_bank(tr).signals,
                                 game.dataset.n_classes)
        stages["defences"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    audited = [_audit_target(plan, setup, progress) for setup in setups]
    stages["attacks"] = time.perf_counter() - t0
    api_results: dict[str, Any] = {}
    if cfg.extraction is not None:
        t0 = time.perf_counter()
        progress.stage("model extraction through the API")
        api_results["extraction"] = run_extraction_section(cfg, game, targets[0][2])
        stages["extraction"] = time.perf_counter() - t0
    if cfg.property is not None:
        t0 = time.perf_counter()
        progress.stage("property inference")
        api_results["property_inference"] = run_property_section(cfg, game, targets[0][2])
        stages["property_inference"] = time.perf_counter() - t0
    model_inversion: dict[str, Any] = {}
    if cfg.inversion is not None:
        t0 = time.perf_counter()
        progress.stage("class inversion (white box)")
        model_inversion["inversion"] = run_inversion_section(cfg, game, setups, out)
        stages["inversion"] = time.perf_counter() - t0
    if cfg.attribute_inference is not None:
        t0 = time.perf_counter()
        progress.stage("attribute inference")
        model_inversion["attribute_inference"] = run_attribute_section(cfg, game, setups)
        stages["attribute_inference"] = time.perf_counter() - t0
    one_run = []
    if cfg.one_run is not None and plan.trainer is not None:
        t0 = time.perf_counter()
        progress.stage("one-run canary audits")
        one_run = _one_run_audits(plan)
        stages["one_run"] = time.perf_counter() - t0
    target_results = [t for t, _ in audited]
    result = AuditResult(
        leakpro_version=leakpro.__version__,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seed=cfg.seed, config=cfg.model_dump(mode="json"), config_hash=plan.config_hash,
        versions=package_versions(),
        data=DataSummary(
            name=game.dataset.name, n_records=len(game.dataset), n_candidates=game.n_candidates,
            n_members=int(game.members.sum()), n_population=int(game.population.size),
            n_classes=game.dataset.n_classes, member_prior=float(game.members.mean()),
            base_dir=str(plan.base) if plan.base is not None and cfg.data.builtin is None else None,
            fingerprint=game.dataset.fingerprint() if cfg.data.builtin is None else None,
        ),
        reference_models=None if bank is None or not plan.reference_models else ReferenceSummary(
            models=plan.reference_models, trained=plan.reference_models - bank.cache_hits,
            from_cache=bank.cache_hits, train_size=game.n_candidates // 2,
            recipe={"key": plan.trainer.key() if plan.trainer else ""},
        ),
        targets=target_results,
        risk_utility=[risk_utility(t) for t in target_results if t.attacks],
        one_run=one_run,
        **api_results,
        **model_inversion,
        api_usage=_api_usage(targets[0][2]),
        stage_runtime_s={k: round(v, 3) for k, v in stages.items()},
        notes=_notes(plan, model_inversion.get("inversion")),
    )
    if out is not None:
        save_results(result, [s for _, s in audited], out)
    return result


def _api_usage(target: Target) -> dict[str, int | None] | None:
    """The query accounting of a target behind an API (after every section has queried it), else None."""
    usage = getattr(target, "usage", None)
    return usage() if callable(usage) else None


def _one_run_audits(plan: AuditPlan) -> list[OneRunResult]:
    """The canary audit for the target's recipe and for every training-side defence."""
    cfg, game = plan.config, plan.game
    assert cfg.one_run is not None and plan.trainer is not None
    members = game.dataset.subset(game.member_indices())
    population = game.dataset.subset(game.population)
    runs: list[tuple[str, Trainer, float]] = [("target", plan.trainer, DEFAULT_DELTA)]
    for spec in cfg.defences:
        recipe = defence_recipe(cfg, spec)
        if recipe is not None:
            runs.append((spec.name, TorchTrainer(recipe, game.dataset.n_classes),
                         recipe.dp.delta if recipe.dp else DEFAULT_DELTA))
    return [one_run_audit(name, trainer, members, population, cfg.one_run, cfg.seed + 7, delta)
            for name, trainer, delta in runs]


def risk_utility(target: TargetResult) -> RiskUtility:
    """The strongest attack (highest TPR at 1% FPR) beside utility, the best AUC and the best ε bound."""
    strongest = max(target.attacks, key=lambda a: (a.tpr_at_fpr[1].tpr.value, a.auc.value))
    bounds = [a.epsilon_lower_bound.epsilon for a in target.attacks if a.epsilon_lower_bound is not None]
    return RiskUtility(
        target=target.name, role=target.role, test_accuracy=target.test_accuracy, strongest_attack=strongest.id,
        tpr_at_1pct_fpr=strongest.tpr_at_fpr[1].tpr, auc=strongest.auc,
        max_auc=max(a.auc.value for a in target.attacks), epsilon_lower_bound=max(bounds, default=0.0),
        accountant_epsilon=target.privacy["epsilon"] if target.privacy else None,
    )


def _notes(plan: AuditPlan, inversion: list[Any] | None = None) -> list[str]:
    notes = [
        "TPR at FPR ≤ level is the largest TPR over thresholds whose FPR does not exceed the level.",
        "Reference models train on random halves of the candidates; population records are never trained on.",
    ]
    if inversion and not any(r.target == "untrained" for r in inversion):
        notes.append("Class inversion: the untrained control was left out, since some layer of the architecture has "
                     "no reset_parameters(); its level compares with chance and the null target only.")
    if plan.game.population.size == 0:
        notes.append("No population data was given: attacks that need known non-members were not possible.")
    return notes


def save_results(result: AuditResult, scores: list[pd.DataFrame], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scores").mkdir(exist_ok=True)
    for target, frame in zip(result.targets, scores, strict=True):
        frame.to_csv(out / target.scores_file, index=False, float_format="%.10g")
    path = out / "results.json"
    path.write_text(result.model_dump_json(indent=2))
    return path


def run_audit(config: str | Path | dict[str, Any] | AuditConfig, *, out: Path | str | None = None,
              cache_dir: Path | str | None = None, progress: ProgressSink | None = None,
              trust: bool = False) -> AuditResult:
    """Validate the config (every problem at once), then run the audit. Results go to ``out`` if given.

    ``cache_dir`` holds reference-model outputs keyed by data, indices, recipe and seed; a killed audit
    re-run with the same config resumes from it. Defaults to ``out``. ``trust`` allows pickled model files
    (they can run code when loaded), as ``target.trust: true`` does.
    """
    cfg, base = parse_config(config)
    if trust:
        cfg = cfg.model_copy(update={"target": cfg.target.model_copy(update={"trust": True})})
    plan = build_plan(cfg, base)
    out_path = Path(out) if out is not None else None
    cache = Path(cache_dir) if cache_dir is not None else out_path
    return run_plan(plan, out_path, cache, progress)
