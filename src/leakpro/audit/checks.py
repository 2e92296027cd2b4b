"""Checks of an audit config that need more than its schema: code it would import, folders it would write,
the target's first answers on the data, the seeds and population the attacks need, and fields that contradict
each other. Each adds :class:`~leakpro.config.errors.ConfigIssue` s to a list, so every problem is reported
at once; :func:`leakpro.audit.plan.build_plan` runs them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from leakpro.audit.attack_specs import AttackSpec, population_needed
from leakpro.config.errors import ConfigIssue
from leakpro.config.issues import short_repr
from leakpro.config.schema import MAX_SEED, AuditConfig
from leakpro.data.dataset import Dataset
from leakpro.data.loaders import LoadedData
from leakpro.game.challenger import MembershipGame
from leakpro.targets.protocol import Target

CLASSES_FIX = ("set data.label to the column the model was trained to predict: its classes must match the "
               "model's outputs")


def out_dir_problem(path: Path) -> str | None:
    """Why ``path`` cannot be an output directory (a file, or not writable), or None. Creates nothing."""
    path = Path(path).absolute()
    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a directory"
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, so {path} cannot be created"
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        return f"{existing} is not writable ({exc.strerror or type(exc).__name__})"
    return None


def check_out_dirs(out: Path | None, cache: Path | None, issues: list[ConfigIssue]) -> None:
    for field, folder in (("out", out), ("cache", cache)):
        problem = out_dir_problem(folder) if folder is not None and (field == "out" or folder != out) else None
        if problem is not None:
            issues.append(ConfigIssue(field, problem, "give a directory you can write to (it is created if missing)"))


def import_gate(name: str, field: str, trust: bool, issues: list[ConfigIssue]) -> bool:
    """Add an issue (and return True) when ``name`` may not be imported from a config without trust."""
    from leakpro.training.models import TRUST_FIX, import_problem

    problem = import_problem(name, trust=trust)
    if problem is None:
        return False
    issues.append(ConfigIssue(field, problem, TRUST_FIX, short_repr(name), needs_trust=True))
    return True


def import_issues(config: dict[str, Any], trust: bool) -> list[ConfigIssue]:
    """Every ``model``/``estimator`` of a config (as a plain mapping) that would import code without trust,
    checked before anything is imported.

    The whole config is walked (attack and section parameters hold recipes too); constructor arguments
    (``params`` beside a ``model``/``estimator``) and the HTTP mapping are data, not names, and are skipped.
    """
    from leakpro.training.models import UNTRUSTED_ESTIMATOR_PARAMS, is_import_path

    issues: list[ConfigIssue] = []

    def walk(node: Any, loc: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{loc}[{i}]")
            return
        if not isinstance(node, dict):
            return
        named = [k for k in ("model", "estimator") if isinstance(node.get(k), str)]
        for key in named:
            if is_import_path(node[key]):
                import_gate(node[key], f"{loc}.{key}" if loc else key, trust, issues)
        params = node.get("params")
        if named and isinstance(params, dict) and not trust:
            for key in UNTRUSTED_ESTIMATOR_PARAMS:
                if params.get(key) is not None:
                    issues.append(ConfigIssue(f"{loc}.params.{key}", "reaches the file system (a joblib cache "
                                              "loads pickles from it)", "drop it, or set target.trust: true",
                                              needs_trust=True))
        for key, value in node.items():
            if (key == "params" and named) or (loc == "target" and key == "http"):
                continue
            walk(value, f"{loc}.{key}" if loc else str(key))

    walk(config, "")
    return issues


def check_target_on_data(target: Target, game: MembershipGame, issues: list[ConfigIssue]) -> None:
    """One small query up front: a shape or feature mismatch shows here, not after an hour of training."""
    from leakpro.targets.http_target import HttpTargetError, QueryBudgetExceeded

    if not _check_classes(target, game.dataset, issues):
        return
    sample = game.dataset.subset(game.candidates[:8])
    try:
        out = target.logits(sample.features)
    except (HttpTargetError, QueryBudgetExceeded) as exc:  # their message carries its own fix
        issues.append(ConfigIssue("target.http", f"the endpoint fails on a first query of {len(sample)} rows: "
                                  f"{exc.problem}", exc.fix))
        return
    except Exception as exc:
        issues.append(ConfigIssue("target", f"the model fails on the data: {type(exc).__name__}: {exc}",
                                  "check that data.features match what the model was trained on"))
        return
    if out.shape != (len(sample), game.dataset.n_classes):
        issues.append(ConfigIssue("data.label", f"the model returns outputs of shape {out.shape}, the label has "
                                  f"{game.dataset.n_classes} classes", CLASSES_FIX))


def _check_classes(target: Target, dataset: Dataset, issues: list[ConfigIssue]) -> bool:
    """A fitted estimator's ``classes_`` must be as many as the label's classes (else every score is wrong)."""
    classes = getattr(getattr(target, "estimator", None), "classes_", None)
    if classes is None:
        return True
    model = [str(c) for c in np.asarray(classes).ravel()]
    if len(model) == dataset.n_classes:
        return True
    issues.append(ConfigIssue("data.label", f"the label has {dataset.n_classes} classes "
                              f"({short_repr(list(dataset.classes))}) but the model was trained on {len(model)} "
                              f"({short_repr(model)})", CLASSES_FIX))
    return False


def check_population(attacks: list[AttackSpec], explicit: bool, n_population: int, issues: list[ConfigIssue],
                     ) -> tuple[list[AttackSpec], tuple[str, ...]]:
    """Attacks that need more population records than the audit has: config errors when listed by name,
    left out of ``attacks: all`` (returned, so the results say which and why)."""
    kept, skipped = [], []
    for spec in attacks:
        need = population_needed(spec.attack)
        if need <= n_population:
            kept.append(spec)
        elif explicit:
            issues.append(ConfigIssue(spec.field or f"attacks.{spec.id}", f"needs at least {need} population "
                                      f"records (known non-members); the audit has {n_population}",
                                      "give data.population (a column, table or array of known non-members) or a "
                                      "larger data.split population, or remove the attack"))
        else:
            skipped.append(f"{spec.id} (needs {need} population records, the audit has {n_population})")
    return kept, tuple(skipped)


def check_references(attacks: list[AttackSpec], explicit: bool, target: Target, issues: list[ConfigIssue],
                     ) -> tuple[list[AttackSpec], tuple[str, ...]]:
    """Without a way to train reference models like the target (an object ``sklearn.base.clone`` cannot copy),
    attacks that need them are config errors when listed by name, and left out of ``attacks: all``."""
    kind = type(getattr(target, "estimator", target)).__name__
    kept, skipped = [], []
    for spec in attacks:
        if not spec.attack.reference_models_needed():
            kept.append(spec)
        elif explicit:
            issues.append(ConfigIssue(spec.field or f"attacks.{spec.id}", f"needs reference models, and {kind} "
                                      "cannot be copied with sklearn.base.clone to train them",
                                      "use attacks without reference models (loss, population, qmia, label-only), or "
                                      "audit a scikit-learn compatible estimator (get_params / set_params / fit)"))
        else:
            skipped.append(f"{spec.id} (needs reference models; {kind} cannot be copied with sklearn.base.clone)")
    return kept, tuple(skipped)


def check_sections_population(config: AuditConfig, game: MembershipGame, issues: list[ConfigIssue]) -> None:
    for section in ("extraction", "property"):
        if getattr(config, section) is not None and game.population.size == 0:
            issues.append(ConfigIssue(section, "needs population records (known non-members) as the attacker's "
                                      "data; the audit has 0", "give data.population, or drop the section"))


def check_seeds(config: AuditConfig, k: int, issues: list[ConfigIssue]) -> None:
    """scikit-learn takes seeds below 2**32; its reference model i trains with seed * 1000 + i."""
    if config.target.kind == "sklearn" and k and config.seed * 1000 + k > 2**32 - 1:
        top = (2**32 - 1 - k) // 1000
        issues.append(ConfigIssue("seed", "scikit-learn reference models train with seeds seed × 1000 + i, which "
                                  "must stay below 2**32", f"use a seed ≤ {top:,} (any seed ≤ {MAX_SEED:,} "
                                  "works for torch targets)", str(config.seed)))


def check_combinations(config: AuditConfig, issues: list[ConfigIssue]) -> None:
    """Fields that contradict each other, whatever the data holds."""
    spec = config.target
    if spec.train and config.data.members is not None:
        issues.append(ConfigIssue("data.members", "given while target.train is true",
                                  "drop data.members (LeakPro draws the members) or set target.train: false"))
    if config.null_target and not spec.train:
        issues.append(ConfigIssue("null_target", "a null target needs LeakPro to train the models",
                                  "set target.train: true, or drop null_target"))
    if spec.train and spec.kind == "torch" and spec.model is not None:
        issues.append(ConfigIssue("target.model", "ignored when LeakPro trains the target",
                                  "put the architecture in target.recipe.model / recipe.params"))


def check_recipe(config: AuditConfig, k: int, issues: list[ConfigIssue]) -> None:
    spec = config.target
    if spec.kind == "torch" and spec.recipe is None and (k > 0 or spec.train):
        issues.append(ConfigIssue("target.recipe", "missing: training the target or reference models needs it",
                                  "state optimizer, lr, epochs, batch_size and weight_decay under target.recipe"))


def check_one_run(config: AuditConfig, loaded: LoadedData | None, game: MembershipGame | None,
                  issues: list[ConfigIssue]) -> None:
    spec, one_run = config.target, config.one_run
    if one_run is None:
        return
    if not (spec.train and spec.kind == "torch" and spec.recipe is not None):
        issues.append(ConfigIssue("one_run", "the canary audit retrains the recipe",
                                  "use target.train: true with a torch recipe, or drop one_run"))
    elif loaded is not None and game is not None and one_run.canaries > game.population.size:
        issues.append(ConfigIssue("one_run.canaries", f"more canaries than population records "
                                  f"({game.population.size})", "lower one_run.canaries or enlarge the population"))
    if one_run.guesses > one_run.canaries:
        issues.append(ConfigIssue("one_run.guesses", "more guesses than canaries", "lower one_run.guesses"))
