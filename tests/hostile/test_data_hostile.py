"""Hostile data: non-finite features, labels that do not match the model, population rows missing.

Each case is refused in validation, before anything trains, with the field named, the problem and the fix;
or (``attacks: all`` without population records) handled safely and said so. This module also builds the
small world (a table, a scikit-learn model, torch weights) the other ``test_*_hostile`` modules audit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from leakpro.config.errors import ConfigError

FEATURES = ["a", "b", "c", "d"]


def make_world(tmp: Path, n: int = 300, pop: int = 100, seed: int = 0) -> Path:
    """``t.csv`` (4 numeric features, a 0/1 label, members and population columns), ``lr.skops`` (a logistic
    regression fit on the members) and ``mlp.safetensors`` (an untrained 4 → 8 → 2 MLP)."""
    import skops.io as sio
    import torch
    from safetensors.torch import save_file
    from sklearn.linear_model import LogisticRegression

    from leakpro.training.models import MLP

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n + pop, len(FEATURES)))
    y = (x[:, 0] + 0.5 * rng.normal(size=n + pop) > 0).astype(int)
    frame = pd.DataFrame(x, columns=FEATURES)
    frame["label"] = y
    member = np.zeros(n + pop, dtype=bool)
    member[rng.permutation(n)[: n // 2]] = True
    frame["in_training"] = member
    frame["is_population"] = np.r_[np.zeros(n, bool), np.ones(pop, bool)]
    frame.to_csv(tmp / "t.csv", index=False)
    sio.dump(LogisticRegression().fit(frame.loc[member, FEATURES], y[member]), tmp / "lr.skops")
    torch.manual_seed(seed)
    save_file(MLP(len(FEATURES), 2, hidden=(8,)).state_dict(), tmp / "mlp.safetensors")
    return tmp


def sk_config(population: bool = True, **over: Any) -> dict[str, Any]:
    """A config auditing ``lr.skops`` on ``t.csv`` with the loss attack."""
    data: dict[str, Any] = {"table": "t.csv", "label": "label", "features": FEATURES,
                            "members": {"column": "in_training"}}
    if population:
        data["population"] = {"column": "is_population"}
    cfg: dict[str, Any] = {"seed": 0, "data": data, "target": {"kind": "sklearn", "file": "lr.skops"},
                           "attacks": ["loss"]}
    cfg.update(over)
    return cfg


def torch_config(**over: Any) -> dict[str, Any]:
    """A config auditing ``mlp.safetensors`` (hidden [8]) on ``t.csv``."""
    cfg = sk_config()
    cfg["target"] = {"kind": "torch", "model": "mlp", "params": {"hidden": [8]}, "weights": "mlp.safetensors"}
    cfg.update(over)
    return cfg


def write(tmp: Path, cfg: dict[str, Any] | str, name: str = "audit.yaml") -> Path:
    path = tmp / name
    path.write_text(cfg if isinstance(cfg, str) else yaml.safe_dump(cfg, sort_keys=False))
    return path


def plan_of(tmp: Path, cfg: dict[str, Any] | str) -> Any:
    from leakpro.audit.plan import build_plan, parse_config

    return build_plan(*parse_config(write(tmp, cfg)))


def problems(tmp: Path, cfg: dict[str, Any] | str) -> str:
    """The ConfigError of validating ``cfg`` (fails the test if it validates)."""
    with pytest.raises(ConfigError) as err:
        plan_of(tmp, cfg)
    return str(err.value)


def assert_clear(text: str, field: str, problem: str) -> None:
    """``text`` names ``field``, states the problem (a regex) and gives one fix for that line; no traceback."""
    lines = [ln for ln in text.splitlines() if ln.strip().startswith(f"- {field}:") or ln.startswith(f"{field}:")]
    assert lines, f"no problem reported for {field!r}:\n{text}"
    assert any(__import__("re").search(problem, ln) for ln in lines), f"{problem!r} not in {lines}"
    for ln in lines:
        assert ln.count("Fix:") == 1, ln
    assert "Traceback" not in text


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("hostile_data"))


def _table_with(world: Path, tmp: Path, change: Callable[[pd.DataFrame], None], name: str = "t.csv") -> Path:
    frame = pd.read_csv(world / "t.csv")
    change(frame)
    frame.to_csv(tmp / name, index=False)
    for f in ("lr.skops", "mlp.safetensors"):
        (tmp / f).write_bytes((world / f).read_bytes())
    return tmp


def _set(column: str, row: int, value: Any) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        frame.loc[row, column] = value
    return change


@pytest.mark.parametrize(("value", "cfg", "field", "problem"), [
    (np.inf, sk_config, "data.table", r"infinite values in feature columns \{'b': 1\}"),
    (-np.inf, torch_config, "data.table", r"infinite values in feature columns \{'b': 1\}"),
    (1e300, torch_config, "data.table", r"1 feature values lie beyond float32's range"),
    (np.nan, sk_config, "data.table", r"missing values \(NaN\) in feature columns \{'b': 1\}"),
], ids=["inf-sklearn", "minus-inf-torch", "float32-overflow-torch", "nan-sklearn"])
def test_non_finite_features_are_refused(world, tmp_path, value, cfg, field, problem):
    _table_with(world, tmp_path, _set("b", 3, value))
    assert_clear(problems(tmp_path, cfg()), field, problem)


def test_inf_in_an_array_file_is_refused(world, tmp_path):
    frame = pd.read_csv(world / "t.csv")
    x = frame[FEATURES].to_numpy()
    x[5, 2] = np.inf
    np.savez(tmp_path / "d.npz", x=x, y=frame["label"].to_numpy(), m=frame["in_training"].to_numpy(),
             p=frame["is_population"].to_numpy())
    (tmp_path / "mlp.safetensors").write_bytes((world / "mlp.safetensors").read_bytes())
    cfg = torch_config(data={"arrays": "d.npz", "members": {"key": "m"}, "population": {"key": "p"}})
    assert_clear(problems(tmp_path, cfg), "data.features", r"1 infinite values in the feature array")


def test_a_label_of_400_classes_against_a_2_class_model_is_refused(world, tmp_path):
    _table_with(world, tmp_path, lambda f: f.__setitem__("label", np.arange(len(f)) % 400))
    assert_clear(problems(tmp_path, sk_config()), "data.label",
                 r"the label has 400 classes .* but the model was trained on 2 \(\['0', '1'\]\)")


def test_a_3_class_label_against_2_output_torch_weights_names_the_label(world, tmp_path):
    _table_with(world, tmp_path, lambda f: f.__setitem__("label", np.arange(len(f)) % 3))
    assert_clear(problems(tmp_path, torch_config()), "data.label",
                 r"the weights' last layer has 2 outputs but the label has 3 classes")


@pytest.mark.parametrize(("attack", "field", "need"), [
    ("population", "attacks[1].population", 1),
    ({"rmia": {"reference_models": 1}}, "attacks[1].rmia", 1),
    ({"qmia": {"folds": 5}}, "attacks[1].qmia", 50),
], ids=["population", "rmia", "qmia"])
def test_attacks_that_need_population_rows_are_refused_without_them(world, attack, field, need):
    cfg = sk_config(population=False, attacks=["loss", attack])
    text = problems(world, cfg)
    assert_clear(text, field, rf"needs at least {need} population records .*the audit has 0")


def test_qmia_needs_ten_population_rows_per_fold(world):
    text = problems(world, sk_config(attacks=[{"qmia": {"folds": 20}}]))  # 100 population rows, 200 needed
    assert_clear(text, "attacks[0].qmia", r"needs at least 200 population records .*the audit has 100")


def test_extraction_without_population_rows_is_refused(world):
    cfg = sk_config(population=False, extraction={"attack": "knockoff"})
    assert_clear(problems(world, cfg), "extraction", r"needs population records")


def test_attacks_all_without_population_leaves_those_attacks_out_and_says_so(world):
    plan = plan_of(world, sk_config(population=False, attacks="all", threat_model="scores"))
    ids = [a.id for a in plan.attacks]
    assert not {"population", "qmia"} & set(ids) and not any(i.startswith("rmia") for i in ids)
    assert any(s.startswith("population (needs 1 population records") for s in plan.skipped)
