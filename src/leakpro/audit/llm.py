"""Run a language-model membership audit: every LM attack on the target and its null control, the blind
baseline, and canary exposure, into one :class:`~leakpro.results.llm.LLMAuditResult`.

The plan is handed ready-made models (:class:`~leakpro.targets.causal_lm.CausalLM`); where they come from (a
directory, the embedded demo, a notebook) is the caller's business. Per-token signals are computed once per
(model, texts) and cached (:func:`leakpro.signals.lm.token_signals`); reference signals are shared by the target
and the null. Only the challenger code here reads ``members``: attacks see an :class:`LMView`.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from leakpro.attacks.llm.base import LMView, get_lm_attack
from leakpro.attacks.llm.canaries import Canary, random_secrets, secret_log_perplexity
from leakpro.audit.llm_blind import blind_baseline
from leakpro.audit.llm_references import (
    LMReferences,
    OfflineSignals,
    OnlineSignals,
    offline_bank,
    offline_signals,
    online_bank,
    online_signals,
)
from leakpro.compute.protocol import Executor
from leakpro.config.llm import LLM_ATTACKS
from leakpro.metrics.exposure import empirical_exposure, extrapolated_exposure, mean_interval
from leakpro.metrics.simultaneous import simultaneous_intervals
from leakpro.metrics.summary import membership_metrics
from leakpro.results.environment import package_versions
from leakpro.results.llm import CanaryResult, CanaryRow, LLMAuditResult, LMAttackResult, LMTargetResult
from leakpro.results.types import Interval
from leakpro.signals.lm import log_prob_per_char, texts_key, token_signals
from leakpro.targets.causal_lm import CausalLM
from leakpro.version import __version__

LLM_RESULTS_FILE = "llm_results.json"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class CanarySetup:
    template: str
    digits: int
    canaries: tuple[Canary, ...]
    samples: int = 1000


@dataclass(frozen=True)
class LLMAuditPlan:
    """Everything one LM audit needs; ``members`` is the challenger's secret."""

    name: str
    seed: int
    texts: tuple[str, ...]
    members: np.ndarray
    target: CausalLM
    null: CausalLM | None = None
    reference: CausalLM | None = None
    references: LMReferences | None = None
    attacks: tuple[str, ...] = LLM_ATTACKS
    min_k: float = 0.2
    blind_folds: int | None = 5
    blind_max_ngram: int = 2
    blind_permutations: int = 20
    canaries: CanarySetup | None = None
    split: str = "candidates drawn at random; half of them trained on"
    batch_size: int = 32
    notes: tuple[str, ...] = field(default_factory=tuple)


def _attack_params(name: str, k: float) -> dict[str, float | int | str]:
    return {"k": k} if name in ("min_k", "min_k_plus_plus") else {}


def _view(plan: LLMAuditPlan, lm: CausalLM, cache: Path | None, ref: np.ndarray | None,
          online: OnlineSignals | None, offline: OfflineSignals | None) -> tuple[LMView, float]:
    start = time.perf_counter()
    sig = token_signals(lm, plan.texts, cache, plan.batch_size)
    seconds = time.perf_counter() - start
    view = LMView(plan.texts, sig, ref,
                  None if online is None else online.signals, None if online is None else online.trained_in,
                  None if offline is None else offline.candidates, None if offline is None else offline.population,
                  None if offline is None else offline.population_in)
    return view, seconds


def _available(plan: LLMAuditPlan) -> tuple[list[str], list[str]]:
    refs = plan.references
    has = {"": True, "reference": plan.reference is not None,
           "lira": refs is not None and refs.models > 0,
           "offline": refs is not None and refs.offline_models > 0 and len(refs.population) > 0}
    run: list[str] = []
    skipped: list[str] = []
    for name in plan.attacks:
        (run if has[get_lm_attack(name).needs] else skipped).append(name)
    return run, skipped


def _reference_signals(plan: LLMAuditPlan, names: Sequence[str], cache: Path | None, executor: Executor | None,
                       say: Progress) -> tuple[OnlineSignals | None, OfflineSignals | None]:
    """Train (or load from the bank's cache) the reference LMs the attacks need, through ``executor``."""
    refs = plan.references
    if refs is None:
        return None, None
    online = offline = None
    if {"lira", "rmia"} & set(names):
        say(f"{refs.models} reference LMs on random halves of the candidates")
        bank = online_bank(refs, plan.texts, plan.seed, cache, executor,
                           lambda d, t, hit: say(f"reference LM {d}/{t}" + (" (cached)" if hit else "")))
        online = online_signals(bank, refs.models)
    if "rmia_offline" in names:
        say(f"{refs.offline_models} offline reference LMs on random halves of {len(refs.population)} population texts")
        bank = offline_bank(refs, plan.texts, plan.seed, cache, executor,
                            lambda d, t, hit: say(f"offline reference LM {d}/{t}" + (" (cached)" if hit else "")))
        offline = offline_signals(bank, refs.offline_models)
    return online, offline


def _attack_model(plan: LLMAuditPlan, lm: CausalLM, role: str, view: LMView, seconds: float,
                  names: Sequence[str], scores_out: dict[str, np.ndarray]) -> LMTargetResult:
    results = []
    for name in names:
        cls = get_lm_attack(name)
        params = _attack_params(name, plan.min_k)
        start = time.perf_counter()
        attack = cls(random_state=plan.seed, **params)
        scores = attack.run(view)
        runtime = time.perf_counter() - start
        params = {**params, **attack.derived()}
        scores_out[name] = scores
        m = membership_metrics(scores, plan.members)
        results.append(LMAttackResult(attack=name, title=cls.title, paper=cls.paper, params=params, auc=m["auc"],
                                      tpr_at_fpr=m["tpr_at_fpr"], balanced_accuracy=m["balanced_accuracy"],
                                      advantage=m["advantage"], runtime_s=runtime))
    joint = simultaneous_intervals({n: scores_out[n] for n in names}, plan.members) if names else None
    return LMTargetResult(name=lm.name, role=role, description=lm.describe(),  # type: ignore[arg-type]
                          attacks=results, signal_seconds=seconds,
                          seconds_per_1000_texts=1000.0 * seconds / max(1, len(plan.texts)), simultaneous=joint)


def canary_exposure(lm: CausalLM, setup: CanarySetup, seed: int, batch_size: int = 64) -> CanaryResult:
    """Exposure of every canary under ``lm`` (against ``setup.samples`` random secrets after its own prefix),
    summarised per repetition count: the mean with a t-interval over canaries."""
    rng = np.random.default_rng([seed, 0xC0DE])
    n = setup.samples
    prefixes, secrets = [], []
    for c in setup.canaries:
        pool = [s for s in random_secrets(setup.digits, n + 1, rng) if s != c.secret][:n]
        prefixes += [c.prefix] * n + [c.prefix]
        secrets += [*pool, c.secret]
    ppl = secret_log_perplexity(lm, prefixes, secrets, batch_size).reshape(len(setup.canaries), n + 1)
    log2_space = setup.digits * math.log2(10)
    ext_all = [extrapolated_exposure(row[-1], row[:-1], log2_space) for row in ppl]
    emp_all = [empirical_exposure(row[-1], row[:-1]) for row in ppl]
    rows = []
    for reps in sorted({c.repetitions for c in setup.canaries}):
        idx = [i for i, c in enumerate(setup.canaries) if c.repetitions == reps]
        ext = np.array([ext_all[i] for i in idx])
        mean, low, high = mean_interval(ext)
        low, high = max(low, 0.0), min(high, log2_space)  # exposure lies in [0, log2 |R|]
        rows.append(CanaryRow(repetitions=reps, canaries=len(idx),
                              exposure=Interval(value=mean, low=low, high=high, method="student-t over canaries"),
                              empirical_exposure=float(np.mean([emp_all[i] for i in idx])),
                              per_canary=[float(v) for v in ext]))
    top = rows[-1]
    floor = rows[0].exposure.high if rows[0].repetitions == 0 and len(rows) > 1 else 1.0 / math.log(2.0)
    rises = bool(top.repetitions > 0 and top.exposure.low > floor)
    return CanaryResult(model=lm.name, template=setup.template, digits=setup.digits, log2_space=log2_space,
                        samples=n, rows=rows, rises_with_repetitions=rises)


def run_llm_audit(plan: LLMAuditPlan, cache: Path | None = None, progress: Progress | None = None,
                  executor: Executor | None = None) -> tuple[LLMAuditResult, dict[str, pd.DataFrame]]:
    """The audit's result and, per model, a scores table (text, member, one column per attack). Reference LMs
    train through ``executor`` (default: in process) into the bank's cache under ``cache``."""
    say = progress or (lambda _msg: None)
    start = time.perf_counter()
    members = np.asarray(plan.members, dtype=bool)
    if members.shape != (len(plan.texts),) or members.all() or not members.any():
        raise ValueError("members must flag each candidate text, with both members and non-members present")
    names, skipped = _available(plan)
    ref = None
    if plan.reference is not None and "reference" in names:
        say("reference LM signals")
        ref = log_prob_per_char(token_signals(plan.reference, plan.texts, cache, plan.batch_size))
    online, offline = _reference_signals(plan, names, cache, executor, say)
    models, tables, canaries = [], {}, []
    for role, lm in (("target", plan.target), ("null", plan.null)):
        if lm is None:
            continue
        say(f"{role}: per-token signals and {len(names)} attacks")
        view, seconds = _view(plan, lm, cache, ref, online, offline)
        scores: dict[str, np.ndarray] = {}
        models.append(_attack_model(plan, lm, role, view, seconds, names, scores))
        tables[role] = pd.DataFrame({"text": list(plan.texts), "member": members, **scores})
        if plan.canaries is not None:
            say(f"{role}: canary exposure")
            canaries.append(canary_exposure(lm, plan.canaries, plan.seed, plan.batch_size))
    blind = None
    if plan.blind_folds:
        say("blind baseline (texts only)")
        best = max(models[0].attacks, key=lambda a: a.auc.value).auc if models[0].attacks else None
        blind = blind_baseline(plan.texts, members, folds=plan.blind_folds, max_ngram=plan.blind_max_ngram,
                               permutations=plan.blind_permutations, random_state=plan.seed, best_attack=best)
    notes = list(plan.notes) + [f"attack {n!r} not run: it needs reference LMs the plan does not have"
                                for n in skipped]
    if online is not None or offline is not None:
        where = "in process" if executor is None else executor.describe()
        notes.append(f"reference LMs trained through the reference-model bank ({where})")
    result = LLMAuditResult(name=plan.name, seed=plan.seed, config_hash=plan_hash(plan), candidates=len(plan.texts),
                            members=int(members.sum()),
                            split=plan.split, models=models, blind_baseline=blind, canaries=canaries,
                            leakpro_version=__version__,
                            versions=package_versions((*_VERSIONED, "transformers", "tokenizers")),
                            runtime_s=time.perf_counter() - start, notes=notes)
    return result, tables


def plan_hash(plan: LLMAuditPlan) -> str:
    """sha256 of everything the figures depend on: settings, texts, split, model weights, canaries."""
    h = hashlib.sha256()
    settings = {"name": plan.name, "seed": plan.seed, "attacks": list(plan.attacks), "min_k": plan.min_k,
                "blind": [plan.blind_folds, plan.blind_max_ngram, plan.blind_permutations],
                "texts": texts_key(plan.texts),
                "members": np.packbits(np.asarray(plan.members, dtype=bool)).tobytes().hex(),
                "models": [m.fingerprint() for m in (plan.target, plan.null, plan.reference) if m is not None],
                "references": None if plan.references is None else [
                    plan.references.trainer.key(), plan.references.models, plan.references.offline_models,
                    texts_key(plan.references.population)],
                "canaries": None if plan.canaries is None else [plan.canaries.samples, plan.canaries.digits,
                                                                 [vars(c) for c in plan.canaries.canaries]]}
    h.update(json.dumps(settings, sort_keys=True).encode())
    return h.hexdigest()


_VERSIONED = ("leakpro", "numpy", "scipy", "scikit-learn", "torch", "safetensors")


def write_llm_results(result: LLMAuditResult, tables: dict[str, pd.DataFrame], out: Path) -> Path:
    """``out/llm_results.json`` and ``out/llm_scores/<role>.csv``."""
    out.mkdir(parents=True, exist_ok=True)
    scores = out / "llm_scores"
    scores.mkdir(exist_ok=True)
    for role, table in tables.items():
        table.to_csv(scores / f"{role}.csv", index=False)
    path = out / LLM_RESULTS_FILE
    path.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    return path
