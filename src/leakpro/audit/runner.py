"""Run a planned audit: train the target(s) and reference models once, run every attack, score, save."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import leakpro
from leakpro.audit.environment import package_versions
from leakpro.audit.plan import AuditPlan, build_plan, parse_config
from leakpro.audit.progress import ProgressSink, SilentProgress
from leakpro.compute import make_executor
from leakpro.config.schema import AuditConfig
from leakpro.game.view import AttackerView, QueryOracle, ThreatModel
from leakpro.metrics.summary import membership_metrics
from leakpro.results.types import AttackResult, AuditResult, DataSummary, ReferenceSummary, TargetResult
from leakpro.signals.reference import ReferenceBank
from leakpro.targets.protocol import Target


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


def _audit_target(
    plan: AuditPlan, name: str, role: str, target: Target, bank: ReferenceBank | None, progress: ProgressSink
) -> tuple[TargetResult, pd.DataFrame]:
    game, seed = plan.game, plan.config.seed
    records = game.attacker_records()
    threat = ThreatModel(plan.config.threat_model)
    oracle = QueryOracle(target, threat)

    def refs(k: int) -> Any:
        if bank is None:
            raise RuntimeError("this audit has no reference-model recipe")
        return bank.signals(k)

    view = AttackerView(threat, records, game.n_candidates, oracle, refs, seed)
    labels = records.labels[: game.n_candidates]
    scores = pd.DataFrame({"record": game.candidates, "member": game.members, "label": labels})
    results = []
    for i, spec in enumerate(plan.attacks):
        progress.attack(name, spec.id, i, len(plan.attacks))
        before, start = oracle.queries, time.perf_counter()
        s = spec.attack.run(view)
        runtime = time.perf_counter() - start
        scores[spec.id] = s
        derived = {k: v for k, v in vars(spec.attack).items() if k.endswith("_") and not k.startswith("_")}
        results.append(AttackResult(
            id=spec.id, attack=spec.attack.name, title=spec.attack.title, paper=spec.attack.paper,
            threat_model=threat.value, params=spec.attack.params.model_dump(), derived=derived, seed=seed,
            runtime_s=round(runtime, 4), queries=oracle.queries - before, scores_column=spec.id,
            **membership_metrics(s, game.members),
        ))
    progress.attack(name, "", len(plan.attacks), len(plan.attacks))
    cand = game.candidates
    members, non_members = cand[game.members], cand[~game.members]
    return TargetResult(
        name=name, role=role, description=target.describe(),  # type: ignore[arg-type]
        train_accuracy=_accuracy(target, plan, members), test_accuracy=_accuracy(target, plan, non_members),
        scores_file=f"scores/{name}.csv", attacks=results,
    ), scores


def run_plan(plan: AuditPlan, out: Path | None, cache_dir: Path | None,
             progress: ProgressSink | None = None) -> AuditResult:
    progress = progress or SilentProgress()
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    targets = _train_targets(plan, progress)
    stages["train_targets"] = time.perf_counter() - t0
    game, cfg = plan.game, plan.config
    bank = None
    if plan.trainer is not None:
        bank = ReferenceBank(game.attacker_records(), game.n_candidates, plan.trainer, cfg.seed,
                             cache_dir / "cache" if cache_dir else None, progress.models,
                             executor=make_executor(cfg.executor), batched=cfg.executor.batched)
    t0 = time.perf_counter()
    if bank is not None and plan.reference_models:
        progress.stage(f"training {plan.reference_models} reference models")
        bank.signals(plan.reference_models)
    stages["reference_models"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    audited = [_audit_target(plan, n, r, t, bank, progress) for n, r, t in targets]
    stages["attacks"] = time.perf_counter() - t0
    result = AuditResult(
        leakpro_version=leakpro.__version__,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seed=cfg.seed, config=cfg.model_dump(mode="json"), config_hash=plan.config_hash,
        versions=package_versions(),
        data=DataSummary(
            name=game.dataset.name, n_records=len(game.dataset), n_candidates=game.n_candidates,
            n_members=int(game.members.sum()), n_population=int(game.population.size),
            n_classes=game.dataset.n_classes, member_prior=float(game.members.mean()),
        ),
        reference_models=None if bank is None or not plan.reference_models else ReferenceSummary(
            models=plan.reference_models, trained=plan.reference_models - bank.cache_hits,
            from_cache=bank.cache_hits, train_size=game.n_candidates // 2,
            recipe={"key": plan.trainer.key() if plan.trainer else ""},
        ),
        targets=[t for t, _ in audited],
        stage_runtime_s={k: round(v, 3) for k, v in stages.items()},
        notes=_notes(plan),
    )
    if out is not None:
        save_results(result, [s for _, s in audited], out)
    return result


def _notes(plan: AuditPlan) -> list[str]:
    notes = [
        "TPR at FPR ≤ level is the largest TPR over thresholds whose FPR does not exceed the level.",
        "Reference models train on random halves of the candidates; population records are never trained on.",
    ]
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
