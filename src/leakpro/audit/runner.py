"""Run a planned audit: train the target(s) and reference models once, run every attack, score, save.

An attack or section (extraction, property, inversion, attribute inference, one-run) that fails does not
take the others with it: its failure is recorded in the results' notes, everything that finished is saved,
and :class:`AuditIncomplete` is raised at the end with the partial result.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from leakpro.audit.api_attacks import run_extraction_section, run_property_section
from leakpro.audit.baselines import with_baselines
from leakpro.audit.defences import TargetSetup, defence_recipe, defence_setups
from leakpro.audit.dp_audit import run_dp_audits
from leakpro.audit.headline import PRIMARY_SHARE, HeadlineChoice, choose_headline
from leakpro.audit.model_inversion import run_attribute_section, run_inversion_section
from leakpro.audit.one_run import one_run_audit
from leakpro.audit.plan import AuditPlan, build_plan, parse_config
from leakpro.audit.progress import ProgressSink, SilentProgress
from leakpro.audit.reference_bank import ReferenceBank
from leakpro.compute import make_executor
from leakpro.config.schema import AuditConfig
from leakpro.game.view import AttackerView, QueryOracle, ThreatModel
from leakpro.metrics.epsilon import epsilon_lower_bound
from leakpro.metrics.simultaneous import simultaneous_intervals
from leakpro.metrics.summary import membership_metrics
from leakpro.results.environment import package_versions
from leakpro.results.types import (
    AttackResult,
    AuditResult,
    DataSummary,
    EpsilonHeuristic,
    OneRunResult,
    ReferenceSummary,
    RiskUtility,
    TargetResult,
)
from leakpro.targets.protocol import Target
from leakpro.targets.trainers import SklearnTrainer, TorchTrainer, Trainer
from leakpro.version import __version__

DEFAULT_DELTA = 1e-5  # δ for ε lower bounds of targets without a DP accountant
T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """One part of the audit that failed: where, and the error."""

    where: str  # e.g. "attack 'rmia-online' on target 'target'", "section 'extraction'"
    error: Exception

    def summary(self) -> str:
        problem = getattr(self.error, "problem", None) or str(self.error).split("\n")[0]
        return f"{self.where}: {type(self.error).__name__}: {problem}"


class AuditIncomplete(RuntimeError):
    """Some attacks or sections failed; the others finished.

    ``result`` holds what finished (None when the target itself could not be audited) and was saved to
    ``saved`` (results.json) when the audit had an output directory; ``failures`` lists what failed.
    """

    def __init__(self, failures: list[Failure], result: AuditResult | None, saved: Path | None) -> None:
        self.failures, self.result, self.saved = failures, result, saved
        lines = "\n".join(f"  - {f.summary()}" for f in failures)
        if result is None:
            head = f"The audit could not finish: {len(failures)} part(s) failed and nothing could be saved:"
        else:
            where = f" and saved in {saved}" if saved is not None else ""
            head = (f"The audit is incomplete: {len(failures)} part(s) failed; everything else finished{where} "
                    "(the failures are recorded in its notes):")
        http = [f for f in failures if getattr(f.error, "state", "")]  # an endpoint's: spent, cached, resume
        detail = [str(max(reversed(http), key=_budget_need).error)] if http else []
        fix = ("" if detail else "\nFix: see each error above; re-running the same command re-uses the reference "
               "models and answers already in the cache (--cache, default --out).")
        super().__init__("\n".join([head, lines, *detail]) + fix)


def _budget_need(failure: Failure) -> int:
    """Records an exhausted budget had to cover (used + still needed); 0 for other errors."""
    return int(getattr(failure.error, "used", 0)) + int(getattr(failure.error, "requested", 0))


def _attempt(where: str, run: Callable[..., T], failures: list[Failure], *args: Any) -> T | None:
    """``run(*args)``, or None with the failure recorded (an interrupt or exit still stops the audit)."""
    try:
        return run(*args)
    except Exception as exc:
        failures.append(Failure(where, exc))
        return None


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


def _epsilon(scores: np.ndarray, members: np.ndarray, delta: float, seed: int) -> EpsilonHeuristic:
    bound = epsilon_lower_bound(scores, members, delta=delta, seed=seed)
    return EpsilonHeuristic(**vars(bound))


def _audit_target(plan: AuditPlan, setup: TargetSetup, progress: ProgressSink, failures: list[Failure],
                  choices: dict[tuple[object, str], HeadlineChoice]) -> tuple[TargetResult, pd.DataFrame] | None:
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
        s = _attempt(f"attack {spec.id!r} on target {setup.name!r}", spec.attack.run, failures, view)
        if s is None:
            continue
        runtime = time.perf_counter() - start
        scores[spec.id] = s
        derived = {k: v for k, v in vars(spec.attack).items() if k.endswith("_") and not k.startswith("_")}
        results.append(AttackResult(
            id=spec.id, attack=spec.attack.name, title=spec.attack.title, paper=spec.attack.paper,
            threat_model=setup.threat.value, params=spec.attack.params.model_dump(), derived=derived, seed=seed,
            runtime_s=round(runtime, 4), queries=oracle.queries - before, scores_column=spec.id,
            epsilon_heuristic=_epsilon(s, game.members, delta, seed), **membership_metrics(s, game.members),
        ))
    progress.attack(setup.name, "", len(attacks), len(attacks))
    results = with_baselines(results, scores, game.members)
    # the primary attack depends on the reference models and the records only: one choice per bank and threat
    key: tuple[object, str] = (setup.references, setup.threat.value)  # a bound method: equal per bank
    if results and key not in choices:
        progress.stage("choosing the headline attack on reference models")
        ran = {r.id for r in results}
        choices[key] = choose_headline([(a.id, a.attack) for a in attacks if a.id in ran], view,
                                       setup.references, plan.reference_models)
    choice = choices.get(key)
    primary = choice.primary if choice is not None and choice.primary in {r.id for r in results} else None
    cand = game.candidates
    members, non_members = cand[game.members], cand[~game.members]
    accuracy = _attempt(f"target {setup.name!r} (its accuracy)", lambda: (
        _accuracy(setup.target, plan, members), _accuracy(setup.target, plan, non_members)), failures)
    if accuracy is None:
        return None
    return TargetResult(
        name=setup.name, role=setup.role, description=setup.target.describe(),  # type: ignore[arg-type]
        train_accuracy=accuracy[0],
        test_accuracy=accuracy[1],
        scores_file=f"scores/{setup.name}.csv", threat_model=setup.threat.value,
        defence=setup.defence, privacy=privacy, attacks=results,
        simultaneous=simultaneous_intervals({r.id: scores[r.id].to_numpy() for r in results}, game.members,
                                            primary=primary, primary_share=PRIMARY_SHARE,
                                            primary_note=choice.describe() if choice is not None else "",
                                            evidence=choice.figures if choice is not None else None,
                                            not_replayed=choice.skipped if choice is not None else None)
        if results else None,
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
    failures: list[Failure] = []
    t0 = time.perf_counter()
    choices: dict[tuple[object, str], HeadlineChoice] = {}
    audited = [a for setup in setups
               if (a := _audit_target(plan, setup, progress, failures, choices)) is not None]
    stages["attacks"] = time.perf_counter() - t0
    sections: dict[str, Any] = {}
    for key, title, enabled, run in (
        ("extraction", "model extraction through the API", cfg.extraction is not None,
         lambda: run_extraction_section(cfg, game, targets[0][2])),
        ("property_inference", "property inference", cfg.property is not None,
         lambda: run_property_section(cfg, game, targets[0][2])),
        ("inversion", "class inversion (white box)", cfg.inversion is not None,
         lambda: run_inversion_section(cfg, game, setups, out)),
        ("attribute_inference", "attribute inference", cfg.attribute_inference is not None,
         lambda: run_attribute_section(cfg, game, setups)),
        ("one_run", "one-run canary audits", cfg.one_run is not None and plan.trainer is not None,
         lambda: _one_run_audits(plan)),
        ("dp_audit", "white-box DP-SGD canary audits", cfg.dp_audit is not None and plan.trainer is not None,
         lambda: run_dp_audits(cfg, *_member_arrays(plan), game.dataset.n_classes)),
    ):
        if enabled:
            t0 = time.perf_counter()
            progress.stage(title)
            value = _attempt(f"section {key!r}", run, failures)
            if value is not None:
                sections[key] = value
            stages[key] = time.perf_counter() - t0
    api_results = {k: sections[k] for k in ("extraction", "property_inference") if k in sections}
    model_inversion = {k: sections[k] for k in ("inversion", "attribute_inference") if k in sections}
    one_run = sections.get("one_run", [])
    if not any(t.role == "target" for t, _ in audited):
        raise AuditIncomplete(failures, None, None)
    target_results = [t for t, _ in audited]
    result = AuditResult(
        leakpro_version=__version__,
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
        dp_audit=sections.get("dp_audit", []),
        **api_results,
        **model_inversion,
        api_usage=_api_usage(targets[0][2]),
        stage_runtime_s={k: round(v, 3) for k, v in stages.items()},
        notes=_notes(plan, model_inversion.get("inversion"), failures),
    )
    saved = save_results(result, [s for _, s in audited], out) if out is not None else None
    if failures:
        raise AuditIncomplete(failures, result, saved)
    return result


def _api_usage(target: Target) -> dict[str, int | None] | None:
    """The query accounting of a target behind an API (after every section has queried it), else None."""
    usage = getattr(target, "usage", None)
    return usage() if callable(usage) else None


def _member_arrays(plan: AuditPlan) -> tuple[np.ndarray, np.ndarray]:
    members = plan.game.dataset.subset(plan.game.member_indices())
    return np.asarray(members.features, dtype=np.float32), members.labels


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
    """The strongest attack (highest TPR at 1% FPR) beside utility, the best AUC and the best ε figure.

    The strongest attack is picked by looking at the secret, so its TPR and AUC are given with the target's
    simultaneous intervals (valid whichever attack is picked), when the non-members resolve 1 % FPR.
    """
    strongest = max(target.attacks, key=lambda a: (a.tpr_at_fpr[1].tpr.value, a.auc.value, a.id))
    bounds = [a.epsilon_heuristic.epsilon for a in target.attacks if a.epsilon_heuristic is not None]
    sim = target.simultaneous
    figs = sim.attacks.get(strongest.id, {}) if sim is not None else {}
    how = sim.method if sim is not None and figs else "intervals are the attack's own (not simultaneous)"
    return RiskUtility(
        target=target.name, role=target.role, test_accuracy=target.test_accuracy, strongest_attack=strongest.id,
        tpr_at_1pct_fpr=figs.get("tpr@1%", strongest.tpr_at_fpr[1].tpr), auc=figs.get("auc", strongest.auc),
        selection=f"highest TPR at 1 % FPR of {len(target.attacks)} attacks; {how}",
        max_auc=max(a.auc.value for a in target.attacks), epsilon_heuristic=max(bounds, default=0.0),
        accountant_epsilon=target.privacy["epsilon"] if target.privacy else None,
    )


def _notes(plan: AuditPlan, inversion: list[Any] | None = None, failures: list[Failure] | None = None) -> list[str]:
    notes = [f"Incomplete: {f.summary()}; its results are missing." for f in failures or []]
    notes += [
        "TPR at FPR ≤ level is the largest TPR over thresholds whose FPR does not exceed the level.",
        "Reference models train on random halves of the candidates; population records are never trained on.",
    ]
    if isinstance(plan.trainer, SklearnTrainer) and plan.trainer.thread_params:
        given = plan.trainer.prototype.get_params(deep=True)
        notes.append("Reference models were fit on one thread each (" + ", ".join(
            f"{k}=1 instead of {given[k]!r}" for k in plan.trainer.thread_params) + "; OpenMP/BLAS pools limited "
            f"to 1 thread); parallelism comes from the executor ({plan.config.executor.kind}).")
    if inversion and not any(r.target == "untrained" for r in inversion):
        notes.append("Class inversion: the untrained control was left out, since some layer of the architecture has "
                     "no reset_parameters(); its level compares with chance and the null target only.")
    describe = getattr(plan.trainer, "describe", None)
    if plan.reference_models and callable(describe):
        notes.append(describe())
    if plan.skipped:
        notes.append("Not run: " + "; ".join(plan.skipped) + ".")
    elif plan.game.population.size == 0:
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
    and imports of the config's ``package.module:Class`` paths (both can run code), as ``target.trust: true``
    does. Raises :class:`~leakpro.config.errors.ConfigError` before anything runs (every problem listed),
    and :class:`AuditIncomplete` (holding the partial result, saved to ``out``) when an attack or section
    failed while the others finished.
    """
    cfg, base = parse_config(config)
    if trust:
        cfg = cfg.model_copy(update={"target": cfg.target.model_copy(update={"trust": True})})
    out_path = Path(out) if out is not None else None
    cache = Path(cache_dir) if cache_dir is not None else out_path
    plan = build_plan(cfg, base, out=out_path, cache=cache)
    return run_plan(plan, out_path, cache, progress)
