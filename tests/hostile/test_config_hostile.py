"""Hostile configs: YAML tricks, code named as a model, values out of range.

Every case ends in a ConfigError that names the field, the problem and the fix, before anything is imported,
trained or expanded; a few check the safe behaviour that must keep working (allowed estimator classes, trusted
imports).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from hostile.test_data_hostile import assert_clear, make_world, plan_of, problems, sk_config, torch_config, write

BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
seed: *f
"""  # 9**6 strings once expanded (kept small so that the old loader, which expands it, survives the test)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("hostile_config"))


def _yaml_cases() -> list[Any]:
    base = ("data: {table: t.csv, label: label, members: {column: in_training}}\n"
            "target: {kind: sklearn, file: lr.skops}\n")
    return [
        pytest.param(BOMB, r"YAML anchors and aliases are not allowed \(line 1, column 4\)", id="alias-bomb"),
        pytest.param(base + "defaults: &d {epochs: 1}\nattacks: [loss]\n", r"anchors and aliases", id="one-anchor"),
        pytest.param("x: &x {a: 1}\n" + base + "reference: {<<: *x}\n", r"anchors and aliases", id="merge-alias"),
        pytest.param(base + "reference: {<<: {models: 2}}\n", r"merge keys \(<<\) are not allowed", id="merge-inline"),
        pytest.param(base + "seed: 1\nseed: 2\n", r"the key 'seed' appears twice in one mapping \(line 3, column 1 "
                     r"and line 4, column 1\)", id="duplicate-top-key"),
        pytest.param(base.replace("kind: sklearn,", "kind: sklearn, kind: torch,"), r"the key 'kind' appears twice",
                     id="duplicate-nested-key"),
        pytest.param(base + "seed: !!python/object/apply:os.system ['echo pwned']\n", r"unsupported YAML tag",
                     id="python-tag"),
        pytest.param("[" * 5000 + "]" * 5000, r"nested more than 64 levels deep", id="deep-nesting"),
        pytest.param(base + "name: '" + "x" * (1 << 20) + "'\n", r"larger than 1024 KiB", id="huge-file"),
        pytest.param("- a\n- b\n", r"the config must be a mapping", id="top-level-list"),
        pytest.param(base + "seed: [1\n", r"not valid YAML: .*\(line \d+, column \d+\)", id="syntax-error"),
    ]


@pytest.mark.parametrize(("text", "problem"), _yaml_cases())
def test_hostile_yaml_is_refused_quickly_without_echoing_the_input(world, text, problem):
    start = time.perf_counter()
    message = problems(world, text)
    assert time.perf_counter() - start < 5
    assert_clear(message, "config", problem)
    assert len(message) < 600 and "lol" not in message and "xxxx" not in message  # the input is not echoed


def test_non_utf8_config_is_a_clear_error(world):
    path = world / "latin1.yaml"
    path.write_bytes(b"seed: 0\nname: caf\xe9\n")
    from leakpro.audit.plan import parse_config
    from leakpro.config.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_config(path)
    assert_clear(str(err.value), "config", r"not UTF-8 text \(at byte offset 17\)")


def _exploit(marker: Path) -> dict[str, Any]:
    return {"command": f"touch {marker}"}


@pytest.mark.parametrize(("where", "name"), [
    ("target.estimator", "os:system"),
    ("target.estimator", "subprocess:getoutput"),
    ("target.estimator", "builtins:eval"),
    ("target.model", "os:system"),
    ("target.recipe.model", "os:system"),
    ("defences[0].recipe.model", "os:system"),
    ("extraction.params.surrogate.model", "os:system"),
    ("property.params.recipe.model", "os:system"),
    ("inversion.evaluation.model", "os:system"),
    ("target.estimator", "sklearn.utils:Bunch"),
    ("target.estimator", "sklearn.ensemble:np"),
    ("target.estimator", "leakpro.training.models:MLP"),
], ids=lambda v: v.replace(":", "-") if isinstance(v, str) else v)
def test_a_config_names_code_to_import_only_with_trust(world, tmp_path, where, name):
    marker = tmp_path / "pwned"
    cfg = _config_naming(where, name, _exploit(marker))
    message = problems(world, cfg)
    assert not marker.exists(), "the config ran a command during validation"
    assert_clear(message, where, r"importing '[\w.]+' would run its code|not an estimator class of sklearn")
    assert "target.trust: true (or --trust)" in message


def _config_naming(where: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    recipe = {"model": "mlp", "epochs": 1, "batch_size": 64}
    train = {"kind": "torch", "train": True, "recipe": recipe}
    if where == "target.estimator":
        return sk_config(target={"kind": "sklearn", "train": True, "estimator": name, "params": params},
                         data={"table": "t.csv", "label": "label", "features": ["a", "b", "c", "d"]})
    if where == "target.model":
        return torch_config(target={"kind": "torch", "model": name, "params": params, "weights": "mlp.safetensors"})
    cfg = sk_config(data={"table": "t.csv", "label": "label", "features": ["a", "b", "c", "d"]},
                    target=train)
    if where == "target.recipe.model":
        cfg["target"] = {**train, "recipe": {**recipe, "model": name, "params": params}}
    elif where == "defences[0].recipe.model":
        cfg["defences"] = [{"name": "d", "recipe": {"model": name, "params": params}}]
    elif where == "extraction.params.surrogate.model":
        cfg["extraction"] = {"attack": "knockoff", "params": {"surrogate": {"model": name, "params": params}}}
    elif where == "property.params.recipe.model":
        cfg["property"] = {"column": "label", "value": "1", "params": {"recipe": {"model": name, "params": params}}}
    elif where == "inversion.evaluation.model":
        cfg["inversion"] = {"evaluation": {"model": name, "params": params}}
    return cfg


def test_estimator_memory_parameter_needs_trust(world):
    cfg = sk_config(target={"kind": "sklearn", "train": True, "estimator": "sklearn.pipeline:Pipeline",
                            "params": {"steps": [], "memory": "/tmp/cache"}},
                    data={"table": "t.csv", "label": "label", "features": ["a", "b", "c", "d"]})
    assert_clear(problems(world, cfg), "target.params.memory", r"reaches the file system")


@pytest.mark.parametrize("estimator", ["sklearn.tree:DecisionTreeClassifier", "xgboost:XGBClassifier",
                                       "lightgbm:LGBMClassifier", "sklearn.ensemble._forest:RandomForestClassifier"])
def test_estimator_classes_of_sklearn_xgboost_lightgbm_need_no_trust(world, estimator):
    pytest.importorskip(estimator.split(".")[0].split(":")[0])
    cfg = sk_config(target={"kind": "sklearn", "train": True, "estimator": estimator},
                    data={"table": "t.csv", "label": "label", "features": ["a", "b", "c", "d"]})
    plan = plan_of(world, cfg)
    assert type(plan.trainer.prototype).__name__ == estimator.split(":")[1]


def test_trust_allows_a_users_own_module(world):
    cfg = torch_config(target={"kind": "torch", "model": "leakpro.training.models:MLP", "trust": True,
                               "params": {"in_features": 4, "n_classes": 2, "hidden": [8]},
                               "weights": "mlp.safetensors"})
    assert plan_of(world, cfg).target is not None


@pytest.mark.parametrize(("change", "field", "problem"), [
    ({"seed": -1}, "seed", r"greater than or equal to 0.*Fix: give a value ≥ 0"),
    ({"seed": 1e23}, "seed", r"exceeded maximum size.*Fix: give a whole number from 0 to 2147483647"),
    ({"seed": 2**40}, "seed", r"less than or equal to 2147483647"),
    ({"reference": {"models": 100_000_000}}, "reference.models", r"less than or equal to 1024"),
    ({"attacks": [{"lira": {"reference_models": 100_000_000}}]}, "attacks[0].lira.reference_models",
     r"more than 1,024 reference models.*LiRA's paper uses up to 256"),
    ({"seed": float("nan")}, "seed", r"(?i)finite.*Fix: give a whole number from 0 to 2147483647"),
], ids=["seed-negative", "seed-1e23", "seed-2^40", "reference-models-1e8", "lira-reference-models-1e8", "seed-nan"])
def test_values_out_of_range_are_refused(world, change, field, problem):
    assert_clear(problems(world, sk_config(**change)), field, problem)


def test_sklearn_reference_seeds_must_stay_below_2_to_the_32(world):
    cfg = sk_config(seed=2**31 - 1, attacks=[{"rmia": {"reference_models": 2}}])
    assert_clear(problems(world, cfg), "seed", r"seeds seed × 1000 \+ i, which must stay below 2\*\*32.*"
                 r"Fix: use a seed ≤ 4,294,967")


def test_every_problem_is_listed_in_one_pass(world):
    cfg = sk_config(attacks=[{"lira": {"reference_models": 5000}}])
    cfg["target"] = {"kind": "sklearn", "train": True, "estimator": "os:system", "params": {"command": "true"}}
    cfg["data"] = {"table": "missing.csv", "label": "label"}
    text = problems(world, cfg)
    for field in ("target.estimator", "data.table", "attacks[0].lira.reference_models"):
        assert f"- {field}:" in text, text


@pytest.mark.parametrize("text", [BOMB, "seed: 1\nseed: 2\n"], ids=["alias-bomb", "duplicate-key"])
def test_federated_configs_use_the_same_loader(tmp_path, text):
    from leakpro.federated.config import FederatedConfigError, load_federated_config

    with pytest.raises(FederatedConfigError, match=r"config: (YAML anchors|the key 'seed' appears twice)"):
        load_federated_config(write(tmp_path, text, "fed.yaml"))
