"""From a config to a validated plan: data, game, target, trainer and attacks, or every problem at once."""

from __future__ import annotations

import difflib
import hashlib
import json
import reprlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from leakpro.audit.api_attacks import check_api_sections
from leakpro.audit.attack_specs import AttackSpec, population_needed, resolve_attacks
from leakpro.audit.defences import check_defences
from leakpro.audit.model_inversion import check_inversion_sections
from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.schema import MAX_SEED, AuditConfig
from leakpro.config.yaml_io import YamlConfigError, load_yaml_file
from leakpro.data.dataset import Dataset
from leakpro.data.loaders import LoadedData, load_data
from leakpro.game.challenger import MembershipGame
from leakpro.game.view import ThreatModel
from leakpro.targets.protocol import Target
from leakpro.training.trainers import SklearnTrainer, TorchTrainer, Trainer


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


def format_loc(loc: tuple[Any, ...]) -> str:
    """('defences', 1, 'output') → 'defences[1].output'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlevel = 60, 60, 4, 4, 2
_BOUND_FIX = {"greater_than_equal": "give a value ≥ {ge}", "less_than_equal": "give a value ≤ {le}",
              "greater_than": "give a value > {gt}", "less_than": "give a value < {lt}"}


def short_repr(value: Any) -> str:
    """A bounded repr for error messages: never the whole of a large (or hostile) input."""
    return _SHORT.repr(value)


def _pydantic_issues(exc: ValidationError, model: type[BaseModel]) -> list[ConfigIssue]:
    issues = []
    for err in exc.errors():
        loc = format_loc(err["loc"])
        if err["type"] == "extra_forbidden":
            allowed = _allowed_fields(model, err["loc"][:-1])
            close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
            fix = "remove it" + (f"; did you mean {close[0]!r}?" if close else "") + f" Allowed here: {allowed}"
            issues.append(ConfigIssue(loc, "unknown key", fix, str(err["loc"][-1])))
        elif err["type"] == "missing":
            issues.append(ConfigIssue(loc, "required but missing", "add it (see the README's example config)"))
        else:
            fix = _BOUND_FIX.get(err["type"], "see the README's config reference").format(**err.get("ctx", {}))
            if err["type"].startswith(("int_", "float_", "finite_number")):
                fix = _range_fix(model, err["loc"]) or fix
            issues.append(ConfigIssue(loc or "config", err["msg"], fix, short_repr(err.get("input"))))
    return issues


def _range_fix(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """'give a whole number from 0 to 2147483647' for a number field with bounds, else None."""
    owner = _allowed_fields_model(model, loc[:-1])
    field = getattr(owner, "model_fields", {}).get(loc[-1]) if owner is not None else None
    if field is None:
        return None
    bounds = {k: getattr(m, k) for m in field.metadata for k in ("ge", "gt", "le", "lt") if hasattr(m, k)}
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    kind = "a whole number" if field.annotation is int or "int" in str(field.annotation) else "a number"
    if low is not None and high is not None:
        return f"give {kind} from {low} to {high}"
    if low is not None:
        return f"give {kind} ≥ {low}"
    return f"give {kind}" if high is None else f"give {kind} ≤ {high}"


def _allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current = _allowed_fields_model(model, loc)
    return list(getattr(current, "model_fields", {})) if current is not None else []


def _allowed_fields_model(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the fields at ``loc`` (None when ``loc`` leaves the models)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return None
        ann = field.annotation
        args = list(getattr(ann, "__args__", (ann,)))
        args += [inner for a in args for inner in getattr(a, "__args__", ())]  # list[Model], Model | None
        candidates = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            return None
        current = candidates[0]
    return current if isinstance(current, type) else None


def parse_config(source: str | Path | dict[str, Any] | AuditConfig) -> tuple[AuditConfig, Path]:
    """YAML file, dict or config → a validated config and the directory relative paths start from."""
    if isinstance(source, AuditConfig):
        return source, Path.cwd()
    base = Path.cwd()
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ConfigError([ConfigIssue("config", "file not found", "give the path of a YAML config", str(path))])
        try:
            raw = load_yaml_file(path)
        except YamlConfigError as exc:
            raise ConfigError([ConfigIssue(exc.field, exc.problem, exc.fix)]) from None
        base = path.resolve().parent
    else:
        raw = source
    if not isinstance(raw, dict):
        raise ConfigError([ConfigIssue("config", "the config must be a mapping", "see the README's example")])
    try:
        return AuditConfig.model_validate(raw), base
    except ValidationError as exc:
        raise ConfigError(_pydantic_issues(exc, AuditConfig)) from exc


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


def _given_game(loaded: LoadedData, issues: list[ConfigIssue]) -> MembershipGame | None:
    if loaded.members is None:
        issues.append(ConfigIssue("data.members", "which rows trained the target is not given",
                                  "add data.members: {column: ...} or {index_file: ...}, or set target.train: true"))
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
        if _import_gate(spec.estimator, "target.estimator", spec.trust, issues):
            return None
        try:
            proto = resolve_model(spec.estimator)(**spec.params)
        except Exception as exc:
            issues.append(ConfigIssue("target.estimator", f"could not build it: {exc}", "check the class and params"))
            return None
        return SklearnTrainer(proto, dataset.n_classes)
    estimator = getattr(target, "estimator", None)
    return SklearnTrainer(estimator, dataset.n_classes) if estimator is not None else None


def _load_target(config: AuditConfig, dataset: Dataset, base: Path, issues: list[ConfigIssue]) -> Target | None:
    from leakpro.targets.loading import load_sklearn_estimator, load_torch_target

    spec = config.target
    if spec.kind == "http":
        from leakpro.targets.http_target import HttpTarget

        if spec.http is None:
            issues.append(ConfigIssue("target.http", "missing", "give target.http: {url: http://host:port/predict}"))
            return None
        if config.threat_model == "scores" and spec.http.output == "labels":
            issues.append(ConfigIssue("threat_model", "the endpoint returns labels only (target.http.output)",
                                      "use threat_model: labels for a label-only API"))
            return None
        cache = base / spec.http.cache_dir if spec.http.cache_dir is not None else None
        return HttpTarget(spec.http, n_classes=dataset.n_classes, cache_dir=cache)
    if spec.kind == "torch":
        if not isinstance(dataset.features, np.ndarray):
            return None
        in_features = int(np.prod(dataset.features.shape[1:]))
        return load_torch_target(spec, in_features, dataset.n_classes, base, issues)
    est = load_sklearn_estimator(spec, base, issues)
    if est is None:
        return None
    from leakpro.targets.sklearn_target import SklearnTarget

    if config.threat_model == "scores" and not hasattr(est, "predict_proba"):
        issues.append(ConfigIssue("threat_model", f"{type(est).__name__} has no predict_proba",
                                  "use threat_model: labels for a label-only estimator"))
        return None
    return SklearnTarget(est, dataset.n_classes) if hasattr(est, "predict_proba") else None


def _check_target_on_data(target: Target, game: MembershipGame, issues: list[ConfigIssue]) -> None:
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
                                  f"{game.dataset.n_classes} classes", _CLASSES_FIX))


_CLASSES_FIX = ("set data.label to the column the model was trained to predict: its classes must match the "
                "model's outputs")


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
                              f"({short_repr(model)})", _CLASSES_FIX))
    return False


def _import_gate(name: str, field: str, trust: bool, issues: list[ConfigIssue]) -> bool:
    """Add an issue (and return True) when ``name`` may not be imported from a config without trust."""
    from leakpro.training.models import TRUST_FIX, import_problem

    problem = import_problem(name, trust=trust)
    if problem is None:
        return False
    issues.append(ConfigIssue(field, problem, TRUST_FIX, short_repr(name)))
    return True


def _import_issues(config: AuditConfig) -> list[ConfigIssue]:
    """Every ``model``/``estimator`` of the config that would import code without trust, before any import.

    The whole config is walked (attack and section parameters hold recipes too); constructor arguments
    (``params`` beside a ``model``/``estimator``) and the HTTP mapping are data, not names, and are skipped.
    """
    from leakpro.training.models import UNTRUSTED_ESTIMATOR_PARAMS, is_import_path

    trust = config.target.trust
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
                _import_gate(node[key], f"{loc}.{key}" if loc else key, trust, issues)
        params = node.get("params")
        if named and isinstance(params, dict) and not trust:
            for key in UNTRUSTED_ESTIMATOR_PARAMS:
                if params.get(key) is not None:
                    issues.append(ConfigIssue(f"{loc}.params.{key}", "reaches the file system (a joblib cache "
                                              "loads pickles from it)", "drop it, or set target.trust: true"))
        for key, value in node.items():
            if (key == "params" and named) or (loc == "target" and key == "http"):
                continue
            walk(value, f"{loc}.{key}" if loc else str(key))

    walk(config.model_dump(mode="json"), "")
    return issues


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


def _check_population(attacks: list[AttackSpec], explicit: bool, n_population: int, issues: list[ConfigIssue],
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


def _check_seeds(config: AuditConfig, trainer: Trainer | None, k: int, issues: list[ConfigIssue]) -> None:
    """scikit-learn takes seeds below 2**32; reference model i trains with seed * 1000 + i."""
    if isinstance(trainer, SklearnTrainer) and k and config.seed * 1000 + k > 2**32 - 1:
        top = (2**32 - 1 - k) // 1000
        issues.append(ConfigIssue("seed", "scikit-learn reference models train with seeds seed × 1000 + i, which "
                                  "must stay below 2**32", f"use a seed ≤ {top:,} (any seed ≤ {MAX_SEED:,} "
                                  "works for torch targets)", str(config.seed)))


def with_builtin_recipe(config: AuditConfig) -> AuditConfig:
    """A torch target on a built-in dataset without ``target.recipe`` gets the dataset's registered recipe.

    The filled-in recipe is part of the config from then on (results.json, the report's appendix and the
    config hash show it), so the audit is reproducible from its results alone.
    """
    from leakpro.data.registry import builtin_datasets
    from leakpro.training.recipe import TorchRecipe

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
    here rather than after the models trained.
    """
    issues: list[ConfigIssue] = []
    for field, folder in (("out", out), ("cache", cache)):
        problem = out_dir_problem(folder) if folder is not None and (field == "out" or folder != out) else None
        if problem is not None:
            issues.append(ConfigIssue(field, problem, "give a directory you can write to (it is created if missing)"))
    config = with_builtin_recipe(config)
    spec = config.target
    imports = _import_issues(config)  # before anything is imported or built
    issues += imports
    threat = ThreatModel(config.threat_model)
    attacks = resolve_attacks(config.attacks, threat, config.seed, issues, config.reference.models)
    if spec.train and config.data.members is not None:
        issues.append(ConfigIssue("data.members", "given while target.train is true",
                                  "drop data.members (LeakPro draws the members) or set target.train: false"))
    if config.null_target and not spec.train:
        issues.append(ConfigIssue("null_target", "a null target needs LeakPro to train the models",
                                  "set target.train: true, or drop null_target"))
    loaded = load_data(config.data, numeric=spec.kind == "torch", base=base, issues=issues)
    game, null_rows, target = None, None, None
    if loaded is not None:
        if spec.train:
            game, null_rows = _draw_game(loaded, config, issues)
        elif config.data.builtin is not None:
            issues.append(ConfigIssue("target.train", "a built-in dataset has no pre-trained target",
                                      "set target.train: true so LeakPro trains it"))
        else:
            game = _given_game(loaded, issues)
            target = _load_target(config, loaded.dataset, base, issues) if not imports else None
            if target is not None and game is not None:
                _check_target_on_data(target, game, issues)
    skipped: tuple[str, ...] = ()
    if game is not None:
        attacks, skipped = _check_population(attacks, config.attacks != "all", int(game.population.size), issues)
        for section in ("extraction", "property"):
            if getattr(config, section) is not None and game.population.size == 0:
                issues.append(ConfigIssue(section, "needs population records (known non-members) as the attacker's "
                                          "data; the audit has 0", "give data.population, or drop the section"))
    trainer = _trainer(config, loaded.dataset, target, issues) if loaded is not None and not imports else None
    k = max([a.attack.reference_models_needed() for a in attacks] + [0])
    _check_seeds(config, trainer, k, issues)
    if spec.kind == "torch" and spec.recipe is None and (k > 0 or spec.train):
        issues.append(ConfigIssue("target.recipe", "missing: training the target or reference models needs it",
                                  "state optimizer, lr, epochs, batch_size and weight_decay under target.recipe"))
    if spec.train and spec.kind == "torch" and spec.model is not None:
        issues.append(ConfigIssue("target.model", "ignored when LeakPro trains the target",
                                  "put the architecture in target.recipe.model / recipe.params"))
    check_defences(config, issues)
    check_api_sections(config, game, issues)
    check_inversion_sections(config, loaded.dataset if loaded is not None else None, game, issues)
    if config.one_run is not None:
        if not (spec.train and spec.kind == "torch" and spec.recipe is not None):
            issues.append(ConfigIssue("one_run", "the canary audit retrains the recipe",
                                      "use target.train: true with a torch recipe, or drop one_run"))
        elif loaded is not None and game is not None and config.one_run.canaries > game.population.size:
            issues.append(ConfigIssue("one_run.canaries", f"more canaries than population records "
                                      f"({game.population.size})", "lower one_run.canaries or enlarge the population"))
        if config.one_run.guesses > config.one_run.canaries:
            issues.append(ConfigIssue("one_run.guesses", "more guesses than canaries", "lower one_run.guesses"))
    if issues:
        raise ConfigError(issues)
    assert game is not None
    return AuditPlan(config, config_hash(config), game, target, trainer, attacks, null_rows, k, base.resolve(),
                     skipped)
