"""Audit a model and data held in memory (a notebook) through the same config, plan and runner as the CLI.

:func:`in_memory_config` turns the objects into an audit config, exactly the one a YAML file would hold except
that ``data.memory`` and ``target.memory`` name objects held in this session (:mod:`leakpro.config.memory`)
instead of files; :func:`audit_in_memory` holds them and calls :func:`leakpro.audit.runner.run_audit` with it.
So validation (every problem at once), the membership game, reference models and their cache, attacks, metrics
and ``results.json`` are the CLI's, and the same model on the same split gives the same figures either way.

The data: ``members`` trained the model, ``non_members`` did not (both are the audited candidates, the
challenger's secret), ``population`` are further known non-members the attacker holds. Each is ``(X, y)`` with X a
DataFrame (read as a table: a scikit-learn pipeline gets its columns), a numeric ndarray or a torch tensor (read
as arrays, float32, as an ``.npz`` would be), and y labels of any kind (classes are the sorted distinct values).

Reference models: a scikit-learn style model is copied with ``sklearn.base.clone`` and refit; a
``torch.nn.Module`` follows ``recipe`` (a :class:`~leakpro.config.recipe.TorchRecipe` or its dict), whose
architecture defaults to fresh copies of the module itself (every layer re-initialised). Any other object with
``predict_proba``/``predict`` is audited by the attacks that need no reference models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leakpro.audit.progress import ProgressSink
from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.memory import held
from leakpro.results.types import AuditResult

MEMBER_COLUMN = "leakpro_member"
POPULATION_COLUMN = "leakpro_population"
DEFAULT_DATA_NAME = "in-memory data"
ARGUMENTS_NOTE = ("In leakpro.audit_model the fields above belong to the config built from your arguments: "
                  "data ← members / non_members / population, target ← model / recipe, attacks ← attacks, "
                  "reference.models ← reference_models.")


@dataclass(frozen=True)
class InMemoryConfig:
    """The audit config built from in-memory objects, and the objects its ``@names`` stand for."""

    config: dict[str, Any]
    objects: dict[str, Any]  # stem -> object; held under "@" + stem while the audit runs


def _is_tensor(x: object) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def _to_numpy(x: Any) -> np.ndarray:
    if _is_tensor(x):
        return np.asarray(x.detach().cpu().numpy())
    return np.asarray(x)


def _pair(value: Any, field: str, issues: list[ConfigIssue]) -> tuple[Any, np.ndarray] | None:
    """``(X, y)`` checked: two items, as many labels as rows, labels one-dimensional."""
    if not isinstance(value, Sequence | tuple) or isinstance(value, str) or len(value) != 2:
        issues.append(ConfigIssue(field, "expected a pair (X, y)", f"pass {field}=(X, y)", type(value).__name__))
        return None
    x, y = value
    if not isinstance(x, pd.DataFrame):
        x = _to_numpy(x)
        if x.ndim < 2:
            issues.append(ConfigIssue(field, f"X must have one row per record (2 or more dimensions), got shape "
                                      f"{x.shape}", "reshape it, e.g. X.reshape(-1, 1) for a single feature"))
            return None
    labels = np.asarray(y.to_numpy() if isinstance(y, pd.Series) else _to_numpy(y))
    if labels.ndim != 1 or labels.shape[0] != len(x):
        issues.append(ConfigIssue(field, f"{len(x)} rows of X but labels of shape {labels.shape}",
                                  "give one label per row (a 1-D array or Series)"))
        return None
    return x, labels


def _free(name: str, taken: set[str]) -> str:
    while name in taken:
        name += "_"
    return name


def _table(parts: list[tuple[Any, np.ndarray]], label: str) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """One DataFrame: features, the label, and boolean member / population columns (named so as not to clash)."""
    frames = [x.reset_index(drop=True) for x, _ in parts]
    features = [str(c) for c in frames[0].columns]
    taken = set(features)
    names = {"label": _free(label, taken)}
    names["member"] = _free(MEMBER_COLUMN, taken | {names["label"]})
    names["population"] = _free(POPULATION_COLUMN, taken | {names["label"], names["member"]})
    frame = pd.concat(frames, ignore_index=True)
    frame.columns = features
    frame[names["label"]] = np.concatenate([y for _, y in parts])
    roles = np.concatenate([np.full(len(x), i) for i, (x, _) in enumerate(parts)])
    frame[names["member"]] = roles == 0
    frame[names["population"]] = roles == 2
    return frame, features, names


def _data_source(pairs: list[tuple[Any, np.ndarray]], issues: list[ConfigIssue],
                 ) -> tuple[str, list[tuple[Any, np.ndarray]]]:
    """``("table", DataFrame parts)`` or ``("arrays", ...)``; all of one kind and of one width."""
    frames = [isinstance(x, pd.DataFrame) for x, _ in pairs]
    if any(frames) and not all(frames):
        issues.append(ConfigIssue("members", "some X are DataFrames and some arrays",
                                  "give members, non_members and population X of the same kind"))
        return "", []
    if all(frames):
        columns = [list(map(str, x.columns)) for x, _ in pairs]
        if any(c != columns[0] for c in columns):
            issues.append(ConfigIssue("non_members", "the DataFrames do not have the same columns in the same order",
                                      f"use the members' columns {columns[0][:8]}"))
            return "", []
        return "table", pairs
    shapes = {x.shape[1:] for x, _ in pairs}
    if len(shapes) != 1:
        issues.append(ConfigIssue("non_members", f"X arrays of different record shapes {sorted(shapes)}",
                                  "give every record the shape of the members' records"))
        return "", []
    if not all(np.issubdtype(x.dtype, np.number) or x.dtype == bool for x, _ in pairs):
        return "table", [(pd.DataFrame(x.reshape(len(x), -1)).rename(columns=str), y) for x, y in pairs]
    return "arrays", pairs


def _recipe(model: Any, recipe: Any, stem: str, objects: dict[str, Any], issues: list[ConfigIssue]) -> Any:
    """The torch recipe as a dict; without ``model`` it trains fresh copies of the audited module."""
    from pydantic import BaseModel

    from leakpro.training.models import architecture_of

    if recipe is None:
        return None
    if isinstance(recipe, BaseModel):
        raw = recipe.model_dump(mode="json", include=recipe.model_fields_set)
    elif isinstance(recipe, Mapping):
        raw = dict(recipe)
    else:
        issues.append(ConfigIssue("recipe", "expected a TorchRecipe or a dict of its fields",
                                  "e.g. recipe={'epochs': 20, 'lr': 1e-3, 'batch_size': 64}", type(recipe).__name__))
        return None
    if "model" not in raw:
        try:
            objects[stem] = architecture_of(model)
        except ValueError as exc:
            issues.append(ConfigIssue("recipe.model", str(exc), "add reset_parameters() to those layers, or name the "
                                      "architecture in recipe['model'] (a registered model or 'package.module:Class')"))
            return None
        raw["model"] = f"@{stem}"
    return raw


def in_memory_config(
    model: Any,
    *,
    members: Any,
    non_members: Any,
    population: Any = None,
    attacks: str | list[Any] = "all",
    reference_models: int | None = 8,
    threat_model: str = "scores",
    recipe: Any = None,
    seed: int = 0,
    name: str | None = None,
    data_name: str = DEFAULT_DATA_NAME,
) -> InMemoryConfig:
    """The audit config for ``model`` on the given data (see the module), or a ConfigError listing every problem
    with the arguments themselves; problems of the config are found by the plan, as for a YAML file."""
    import torch

    issues: list[ConfigIssue] = []
    given = {"members": members, "non_members": non_members, "population": population}
    checked = {f: _pair(v, f, issues) for f, v in given.items() if v is not None}
    is_torch = isinstance(model, torch.nn.Module)
    if recipe is not None and not is_torch:
        issues.append(ConfigIssue("recipe", f"a recipe trains torch reference models; {type(model).__name__} is not "
                                  "a torch.nn.Module", "drop it: reference models of scikit-learn style models are "
                                  "sklearn.base.clone copies of it, refit"))
    pairs = [p for p in checked.values() if p is not None]
    kind, parts = _data_source(pairs, issues) if len(pairs) == len(checked) else ("", [])
    objects: dict[str, Any] = {"model": model}
    raw_recipe = _recipe(model, recipe, "architecture", objects, issues) if is_torch else None
    if issues:
        raise ConfigError(issues)
    while len(parts) < 3:  # no population: an empty third part keeps the roles' positions
        x0, y0 = parts[0]
        parts.append((x0.iloc[:0] if isinstance(x0, pd.DataFrame) else x0[:0], y0[:0]))
    data: dict[str, Any] = {"memory": f"@{data_name}"}
    label_name = str(getattr(given["members"][1], "name", None) or "label")
    if kind == "table":
        frame, features, cols = _table(parts, label_name)
        objects[data_name] = frame
        data.update(label=cols["label"], features=features, members={"column": cols["member"]})
        if population is not None:
            data["population"] = {"column": cols["population"]}
    else:
        x = np.concatenate([np.asarray(p[0]) for p in parts])
        roles = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(parts)])
        objects[data_name] = {"x": x, "y": np.concatenate([p[1] for p in parts]), "members": roles == 0,
                              "population": roles == 2}
        data.update(label="y", features="x", members={"key": "members"})
        if population is not None:
            data["population"] = {"key": "population"}
    target: dict[str, Any] = {"kind": "torch" if is_torch else "sklearn", "memory": "@model"}
    if raw_recipe is not None:
        target["recipe"] = raw_recipe
    config: dict[str, Any] = {"seed": seed, "data": data, "target": target, "threat_model": threat_model,
                              "attacks": attacks}
    if reference_models is not None:
        config["reference"] = {"models": reference_models}
    if name is not None:
        config["name"] = name
    return InMemoryConfig(config, objects)


def audit_in_memory(
    model: Any,
    *,
    members: Any,
    non_members: Any,
    population: Any = None,
    attacks: str | list[Any] = "all",
    reference_models: int | None = 8,
    threat_model: str = "scores",
    recipe: Any = None,
    seed: int = 0,
    name: str | None = None,
    data_name: str = DEFAULT_DATA_NAME,
    out: Path | str | None = None,
    cache_dir: Path | str | None = None,
    progress: ProgressSink | None = None,
) -> AuditResult:
    """Run the audit of ``model`` held in memory through :func:`~leakpro.audit.runner.run_audit`; results (and the
    per-record scores) go to ``out`` when given. Raises ConfigError (every problem at once, with a note naming the
    arguments behind the config's fields) before anything trains."""
    built = in_memory_config(model, members=members, non_members=non_members, population=population,
                             attacks=attacks, reference_models=reference_models, threat_model=threat_model,
                             recipe=recipe, seed=seed, name=name, data_name=data_name)
    return run_in_memory(built, out=out, cache_dir=cache_dir, progress=progress)


def run_in_memory(built: InMemoryConfig, *, out: Path | str | None = None, cache_dir: Path | str | None = None,
                  progress: ProgressSink | None = None) -> AuditResult:
    """Hold ``built``'s objects while :func:`~leakpro.audit.runner.run_audit` runs its config."""
    from leakpro.audit.runner import run_audit

    with held(built.objects) as names:
        config = _renamed(built.config, names)
        try:
            return run_audit(config, out=out, cache_dir=cache_dir, progress=progress)
        except ConfigError as exc:
            exc.add_note(ARGUMENTS_NOTE)  # shown under the problems in a traceback
            raise


def _renamed(config: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """``config`` with each ``@stem`` replaced by the name its object is held under (``@stem-2`` when another
    audit in this process holds ``@stem`` at the same time)."""
    swap = {f"@{stem}": name for stem, name in names.items()}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return swap.get(node, node) if isinstance(node, str) else node

    return walk(config)
