"""From a config to a validated plan: data, game, target, trainer and attacks, or every problem at once.

Every problem is found in one pass. A field the schema refuses does not stop the other checks: the config is
checked again without it (:func:`parse_config`), and a problem that may only be a consequence of the refused
field (``data.label`` missing when ``data.lable`` was written) is left out with a note. Likewise, when the
data cannot be loaded the target is still loaded and its file checked; only the checks that need both wait,
and the error's notes say which.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from leakpro.audit.api_attacks import check_api_sections
from leakpro.audit.attack_specs import AttackSpec, resolve_attacks
from leakpro.audit.checks import (
    check_combinations,
    check_one_run,
    check_out_dirs,
    check_population,
    check_recipe,
    check_references,
    check_sections_population,
    check_seeds,
    check_target_on_data,
    import_gate,
    import_issues,
)
from leakpro.audit.defences import check_defences
from leakpro.audit.dp_audit import check_dp_audit
from leakpro.audit.model_inversion import check_inversion_sections
from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.issues import Repair, schema_issues, without_broken
from leakpro.config.schema import AuditConfig
from leakpro.config.yaml_io import YamlConfigError, load_yaml_file
from leakpro.data.dataset import Dataset
from leakpro.data.loaders import LoadedData, load_data
from leakpro.game.challenger import MembershipGame
from leakpro.game.view import ThreatModel
from leakpro.targets.protocol import Target
from leakpro.targets.trainers import SklearnTrainer, TorchTrainer, Trainer


@dataclass(frozen=True)
class AuditPlan:
    config: AuditConfig
    config_hash: str
    game: MembershipGame
    target: Target | None  # None: LeakPro trains it (target.train)
    trainer: Trainer | None
    attacks: list[AttackSpec]
    null_train: np.ndarray | None  # dataset rows for the null target
    reference_models: int
    base: Path | None = None  # where relative data paths start (recorded so the report can re-read the table)
    skipped: tuple[str, ...] = ()  # attacks of ``attacks: all`` left out, each with why (results notes say so)


def _read(source: str | Path | dict[str, Any]) -> tuple[Any, Path]:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ConfigError([ConfigIssue("config", "file not found", "give the path of a YAML config", str(path))])
        try:
            return load_yaml_file(path), path.resolve().parent
        except YamlConfigError as exc:
            raise ConfigError([ConfigIssue(exc.field, exc.problem, exc.fix)]) from None
    return source, Path.cwd()


def parse_config(source: str | Path | dict[str, Any] | AuditConfig, *, trust: bool = False) -> tuple[AuditConfig, Path]:
    """YAML file, dict or config → a validated config and the directory relative paths start from.

    When the schema refuses fields, the rest of the config is still checked (as :func:`build_plan` would,
    with ``trust`` as ``--trust``) and its problems are raised together with the schema's.
    """
    if isinstance(source, AuditConfig):
        return source, Path.cwd()
    raw, base = _read(source)
    if not isinstance(raw, dict):
        raise ConfigError([ConfigIssue("config", "the config must be a mapping", "see the README's example")])
    try:
        return AuditConfig.model_validate(raw), base
    except ValidationError as exc:
        later, notes = _check_the_rest(without_broken(raw, exc, AuditConfig), base, trust)
        raise ConfigError(schema_issues(exc, AuditConfig) + later, notes) from exc


_REPAIR_ROUNDS = 4
# A refused field is checked again at its default; checks whose outcome that default decides are skipped.
_DEPENDENTS: dict[str, tuple[str, ...]] = {
    "target.train": ("data.members", "data.split", "null_target", "target", "one_run", "dp_audit"),
    "target.trust": ("target",),
    "data.features": ("data.table", "data.label", "target"),  # NaNs, types and shapes of the columns used
    "data.population": ("data.population", "extraction", "property", "one_run"),
}


def _under(field: str, prefix: str) -> bool:
    return field == prefix or field.startswith((f"{prefix}.", f"{prefix}[", f"{prefix}("))


def _cause(issue: ConfigIssue, repair: Repair) -> str | None:
    """The refused field ``issue`` may only be a consequence of, or None when it stands on its own."""
    for removed in repair.removed:
        related = (removed, *_DEPENDENTS.get(removed, ()), *([repair.meant[removed]] if removed in repair.meant
                                                             else []))
        if any(_under(issue.field, f) for f in related):
            return removed
        if removed == "data.population" and "population records" in issue.problem:
            return removed
    return None


def _check_the_rest(repair: Repair, base: Path, trust: bool) -> tuple[list[ConfigIssue], list[str]]:
    """Problems of the config without its refused fields, less those that may follow from them; and notes."""
    config = None
    for _ in range(_REPAIR_ROUNDS):  # a section's own checks run once its fields are valid: maybe more to remove
        try:
            config = AuditConfig.model_validate(repair.config)
            break
        except ValidationError as exc:
            more = without_broken(repair.config, exc, AuditConfig)
            if not more.removed:
                break
            repair = Repair(more.config, repair.removed + more.removed, {**repair.meant, **more.meant})
    if config is None:  # a required field is missing or a section is unusable: attacks can still be checked
        return _attack_issues(repair.config, trust), [
            "the data, the target and the fields that depend on them are checked once the config has its "
            "required fields (see the README's example config)"]
    if trust:
        config = config.model_copy(update={"target": config.target.model_copy(update={"trust": True})})
    try:
        build_plan(config, base)
        return [], []
    except ConfigError as exc:
        found, notes = exc.issues, list(exc.notes)
    kept, skipped = [], dict[str, list[str]]()
    for issue in found:
        cause = _cause(issue, repair)
        if cause is None:
            kept.append(issue)
        elif issue.field not in skipped.setdefault(cause, []):
            skipped[cause].append(issue.field)
    notes += [f"{', '.join(fields)}: checked again once {cause} is fixed" for cause, fields in skipped.items()]
    return kept, notes


def _attack_issues(raw: dict[str, Any], trust: bool) -> list[ConfigIssue]:
    """The attacks and the code the config would import, from a config the schema does not accept as a whole
    (``raw`` holds only fields the schema did not refuse, so their types are right)."""
    issues = import_issues(raw, bool(trust or (raw.get("target") or {}).get("trust")))
    threat = ThreatModel(raw.get("threat_model", "scores"))
    models = (raw.get("reference") or {}).get("models")
    resolve_attacks(raw.get("attacks", "all"), threat, int(raw.get("seed", 0)), issues, models)
    return issues


def config_hash(config: AuditConfig) -> str:
    return hashlib.sha256(json.dumps(config.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def _draw_game(
    loaded: LoadedData, config: AuditConfig, issues: list[ConfigIssue]
) -> tuple[MembershipGame | None, np.ndarray | None]:
    """LeakPro trains the target: draw candidates, members (half), population and null-training rows."""
    split = config.data.split or _default_split(len(loaded.dataset))
    n_null = (split.null_train or split.candidates // 2) if config.null_target else 0
    need = split.candidates + split.population + n_null
    if need > len(loaded.dataset):
        issues.append(ConfigIssue("data.split", f"needs {need} rows (candidates + population + null_train) "
                                  f"but the data has {len(loaded.dataset)}", "lower the split sizes"))
        return None, None
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 0xDA7A]))
    perm = rng.permutation(len(loaded.dataset))
    cand = np.sort(perm[: split.candidates])
    pop = np.sort(perm[split.candidates : split.candidates + split.population])
    null = np.sort(perm[split.candidates + split.population : need]) if n_null else None
    members = np.zeros(cand.size, dtype=bool)
    members[rng.permutation(cand.size)[: cand.size // 2]] = True
    return MembershipGame(loaded.dataset, cand, members, pop), null


def _default_split(n: int) -> Any:
    from leakpro.config.schema import SplitSpec

    return SplitSpec(candidates=max(20, n // 2), population=max(10, n // 4), null_train=None)


def _given_game(loaded: LoadedData, config: AuditConfig, issues: list[ConfigIssue]) -> MembershipGame | None:
    if loaded.members is None:
        if config.data.members is None:  # given but unusable: its own problem is reported already
            issues.append(ConfigIssue("data.members", "which rows trained the target is not given",
                                      "add data.members: {column: ...} or {index_file: ...}, or set target.train: "
                                      "true"))
        return None
    overlap = loaded.members & loaded.population
    if overlap.any():
        issues.append(ConfigIssue("data.population", f"{int(overlap.sum())} population rows are marked as members",
                                  "population records must be known non-members"))
        return None
    cand = np.flatnonzero(~loaded.population)
    members = loaded.members[cand]
    if members.all() or not members.any():
        issues.append(ConfigIssue("data.members", "the candidates are all members or all non-members",
                                  "include both members and non-members among the audited rows"))
        return None
    return MembershipGame(loaded.dataset, cand, members, np.flatnonzero(loaded.population))


def _trainer(config: AuditConfig, dataset: Dataset, target: Target | None, issues: list[ConfigIssue]) -> Trainer | None:
    spec = config.target
    if spec.kind == "http":  # reference models for an API target are trained from a stated recipe
        return TorchTrainer(spec.recipe, dataset.n_classes) if spec.recipe is not None else None
    if spec.kind == "torch":
        if spec.recipe is None:
            return None
        recipe = spec.recipe
        if spec.model is not None and not spec.train:
            recipe = recipe.model_copy(update={"model": spec.model, "params": spec.params})
        return TorchTrainer(recipe, dataset.n_classes)
    if spec.train:
        from leakpro.training.models import resolve_model

        if spec.estimator is None:
            issues.append(ConfigIssue("target.estimator", "missing", "name the estimator, e.g. "
                                      "'sklearn.ensemble:RandomForestClassifier'"))
            return None
        if import_gate(spec.estimator, "target.estimator", spec.trust, issues):
            return None
        try:
            proto = resolve_model(spec.estimator)(**spec.params)
        except Exception as exc:
            issues.append(ConfigIssue("target.estimator", f"could not build it: {exc}", "check the class and params"))
            return None
        if config.threat_model == "scores" and not hasattr(proto, "predict_proba"):
            issues.append(_no_proba(proto))
            return None
        return SklearnTrainer(proto, dataset.n_classes)
    estimator = getattr(target, "estimator", None)
    return SklearnTrainer(estimator, dataset.n_classes) if SklearnTrainer.can_clone(estimator) else None


def _no_proba(estimator: Any) -> ConfigIssue:
    return ConfigIssue("threat_model", f"{type(estimator).__name__} has no predict_proba: it reveals labels only",
                       "use threat_model: labels (label-only attacks), or a model with predict_proba")


def _load_target(config: AuditConfig, dataset: Dataset | None, base: Path, issues: list[ConfigIssue],
                 notes: list[str]) -> Target | None:
    """The user's model, checked as far as it can be without the data when the data did not load."""
    from leakpro.targets.loading import load_held_model, load_sklearn_estimator, load_torch_target
    from leakpro.targets.torch_target import TorchTarget

    spec = config.target
    waits = "the model's first answers on the data and its classes are checked once the data loads"
    if spec.kind == "http":
        from leakpro.targets.http_target import HttpTarget

        if spec.http is None:
            issues.append(ConfigIssue("target.http", "missing", "give target.http: {url: http://host:port/predict}"))
            return None
        if config.threat_model == "scores" and spec.http.output == "labels":
            issues.append(ConfigIssue("threat_model", "the endpoint returns labels only (target.http.output)",
                                      "use threat_model: labels for a label-only API"))
            return None
        if dataset is None:
            notes.append(f"target.http: {waits}")
            return None
        cache = base / spec.http.cache_dir if spec.http.cache_dir is not None else None
        return HttpTarget(spec.http, n_classes=dataset.n_classes, cache_dir=cache)
    if spec.kind == "torch":
        if dataset is None or not isinstance(dataset.features, np.ndarray):
            if dataset is None:
                notes.append(f"target.model, target.weights: the architecture is built (its input width comes "
                             f"from the data) and {waits}")
            return None
        if spec.memory is not None:
            module = load_held_model(spec, issues)
            return TorchTarget(module, dataset.n_classes) if module is not None else None
        in_features = int(np.prod(dataset.features.shape[1:]))
        return load_torch_target(spec, in_features, dataset.n_classes, base, issues)
    est = load_held_model(spec, issues) if spec.memory is not None else load_sklearn_estimator(spec, base, issues)
    if est is None:
        return None
    from leakpro.targets.sklearn_target import SklearnTarget

    if config.threat_model == "scores" and not hasattr(est, "predict_proba"):
        issues.append(_no_proba(est))
        return None
    if dataset is None:
        notes.append(f"target: {waits}")
        return None
    return SklearnTarget(est, dataset.n_classes)


def with_builtin_recipe(config: AuditConfig) -> AuditConfig:
    """A torch target on a built-in dataset without ``target.recipe`` gets the dataset's registered recipe.

    The filled-in recipe is part of the config from then on (results.json, the report's appendix and the
    config hash show it), so the audit is reproducible from its results alone.
    """
    from leakpro.config.recipe import TorchRecipe
    from leakpro.data.registry import builtin_datasets

    spec = config.target
    if spec.kind != "torch" or spec.recipe is not None or config.data.builtin is None:
        return config
    entry = builtin_datasets().get(config.data.builtin)
    if entry is None or entry.recipe is None:
        return config
    recipe = TorchRecipe.model_validate(entry.recipe)
    return config.model_copy(update={"target": spec.model_copy(update={"recipe": recipe})})


def build_plan(config: AuditConfig, base: Path, *, out: Path | None = None,
               cache: Path | None = None) -> AuditPlan:
    """Validate everything that can be checked before training; raise one ConfigError listing all problems.

    ``out`` and ``cache`` (directories the audit will write) are checked too, so an unwritable one shows
    here rather than after the models trained. A check that needs a part that failed (the target's first
    answers need the data) is skipped and named in the error's notes.
    """
    issues: list[ConfigIssue] = []
    notes: list[str] = []
    check_out_dirs(out, cache, issues)
    config = with_builtin_recipe(config)
    spec = config.target
    imports = import_issues(config.model_dump(mode="json"), spec.trust)  # before anything is imported or built
    issues += imports
    if imports and not spec.train:
        notes.append("target: the model is loaded and checked once the imports above are allowed")
    threat = ThreatModel(config.threat_model)
    attacks = resolve_attacks(config.attacks, threat, config.seed, issues, config.reference.models)
    check_combinations(config, issues)
    loaded = load_data(config.data, numeric=spec.kind == "torch", base=base, issues=issues)
    game, null_rows, target = None, None, None
    if spec.train:
        if loaded is not None:
            game, null_rows = _draw_game(loaded, config, issues)
    elif config.data.builtin is not None:
        issues.append(ConfigIssue("target.train", "a built-in dataset has no pre-trained target",
                                  "set target.train: true so LeakPro trains it"))
    else:
        game = _given_game(loaded, config, issues) if loaded is not None else None
        if not imports:
            target = _load_target(config, loaded.dataset if loaded is not None else None, base, issues, notes)
        if target is not None and game is not None:
            check_target_on_data(target, game, issues)
    skipped: tuple[str, ...] = ()
    if game is not None:
        attacks, skipped = check_population(attacks, config.attacks != "all", int(game.population.size), issues)
        check_sections_population(config, game, issues)
    trainer = _trainer(config, loaded.dataset, target, issues) if loaded is not None and not imports else None
    if target is not None and trainer is None and spec.kind == "sklearn":
        attacks, unclonable = check_references(attacks, config.attacks != "all", target, issues)
        skipped += unclonable
    k = max([a.attack.reference_models_needed() for a in attacks] + [0])
    check_seeds(config, k, issues)
    check_recipe(config, k, issues)
    check_defences(config, issues)
    check_api_sections(config, game, issues)
    check_inversion_sections(config, loaded.dataset if loaded is not None else None, game, issues)
    check_one_run(config, loaded, game, issues)
    check_dp_audit(config, issues)
    if issues:
        raise ConfigError(issues, notes)
    if game is None:  # only reached when a check above failed to add its issue
        raise ConfigError([ConfigIssue("data", "no audit game could be set up", "check the data section")])
    return AuditPlan(config, config_hash(config), game, target, trainer, attacks, null_rows, k, base.resolve(),
                     skipped)
