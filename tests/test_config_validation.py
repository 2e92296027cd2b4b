"""The config is validated before anything runs; every problem is reported at once, naming the field."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from helpers import adult_table, write_config
from leakpro.audit.runner import run_audit
from leakpro.config.errors import ConfigError


def _errors(cfg, tmp_path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        run_audit(write_config(tmp_path, cfg), out=tmp_path / "out")
    assert not (tmp_path / "out").exists(), "nothing may run when the config is invalid"
    return [str(i) for i in info.value.issues]


def test_unknown_keys_and_misspelt_attacks_all_at_once(tmp_path):
    cfg = {
        "seed": 1,
        "data": {"builtin": "adult", "lable": "income"},
        "target": {"kind": "torch", "train": True, "recipe": {"epohcs": 3}},
        "attacks": ["rmia"],
        "treat_model": "scores",
    }
    errors = _errors(cfg, tmp_path)
    assert any(e.startswith("data.lable: unknown key") and "'label'" in e for e in errors)
    assert any(e.startswith("target.recipe.epohcs: unknown key") and "'epochs'" in e for e in errors)
    assert any(e.startswith("treat_model: unknown key") and "'threat_model'" in e for e in errors)


def test_misspelt_attack_name_and_parameter(tmp_path):
    cfg = {
        "data": {"builtin": "adult"},
        "target": {"kind": "torch", "train": True, "recipe": {"epochs": 2}},
        "attacks": ["rmai", {"lira": {"referenec_models": 4}}, {"rmia": {"mode": "sideways"}}],
    }
    errors = _errors(cfg, tmp_path)
    assert any(e.startswith("attacks[0].rmai: unknown attack") and "'rmia'" in e for e in errors)
    assert any(e.startswith("attacks[1].lira.referenec_models: unknown attack parameter")
               and "'reference_models'" in e for e in errors)
    assert any(e.startswith("attacks[2].rmia.mode") for e in errors)


def test_label_only_threat_model_refuses_score_attacks(tmp_path):
    cfg = {"data": {"builtin": "adult"}, "threat_model": "labels",
           "target": {"kind": "torch", "train": True, "recipe": {"epochs": 2}}, "attacks": ["loss"]}
    errors = _errors(cfg, tmp_path)
    assert any(e.startswith("attacks[0].loss: needs the 'scores' threat model") for e in errors)


def test_missing_files_columns_and_nans(tmp_path):
    path, frame = adult_table(tmp_path)
    frame.loc[[3, 7], "age"] = np.nan
    frame.to_csv(path, index=False)
    cfg = {
        "data": {"table": path.name, "label": "income", "members": {"column": "in_trainig"},
                 "population": {"column": "is_population"}},
        "target": {"kind": "sklearn", "file": "missing.skops"},
    }
    errors = _errors(cfg, tmp_path)
    assert any(e.startswith("data.members.column: column 'in_trainig' is not in the table") for e in errors)
    assert any(e.startswith("data.table: missing values (NaN) in feature columns {'age': 2}") for e in errors)
    assert any(e.startswith("target.file: file not found") for e in errors)


def test_pickle_refused_without_trust(tmp_path):
    path, _ = adult_table(tmp_path)
    (tmp_path / "model.pkl").write_bytes(pickle.dumps({"not": "a model"}))
    (tmp_path / "disguised.skops").write_bytes(pickle.dumps({"not": "a model"}))
    base = {"data": {"table": path.name, "label": "income", "members": {"column": "in_training"},
                     "population": {"column": "is_population"}}}
    errors = _errors({**base, "target": {"kind": "sklearn", "file": "model.pkl"}}, tmp_path)
    assert any(e.startswith("target.file: pickles can run arbitrary code") and "--trust" in e for e in errors)
    errors = _errors({**base, "target": {"kind": "sklearn", "file": "disguised.skops"}}, tmp_path)
    assert any("named .skops but holds a pickle" in e for e in errors)


def test_arrays_shape_mismatch(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((10, 3)), y=np.zeros(9))
    cfg = {"data": {"arrays": "d.npz", "members": {"key": "m"}},
           "target": {"kind": "torch", "model": "mlp", "weights": "w.safetensors"}}
    errors = _errors(cfg, tmp_path)
    assert any(e.startswith("data: features have 10 rows, labels shape (9,)") for e in errors)


def test_not_yaml_mapping(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        run_audit(path)


def test_builtin_dataset_supplies_its_registered_recipe():
    from pathlib import Path

    from leakpro.audit.plan import build_plan, parse_config
    from leakpro.data.registry import builtin_datasets

    cfg, base = parse_config({"data": {"builtin": "digits", "split": {"candidates": 100, "population": 50}},
                              "target": {"kind": "torch", "train": True}, "attacks": ["loss"]})
    assert cfg.target.recipe is None
    plan = build_plan(cfg, base)
    assert plan.config.target.recipe is not None
    assert plan.config.target.recipe.model_dump(exclude_defaults=True) == builtin_datasets()["digits"].recipe
    explicit = parse_config({"data": {"builtin": "digits"}, "target": {"kind": "torch", "train": True,
                                                                      "recipe": {"model": "mlp"}}})[0]
    assert build_plan(explicit, Path.cwd()).config.target.recipe.model == "mlp"  # a stated recipe wins
    for name, entry in builtin_datasets().items():
        assert entry.recipe is not None, f"{name} has no registered recipe"


def test_optional_dataset_says_which_extra_installs_it():
    from leakpro.data.registry import optional_module

    with pytest.raises(ImportError, match=r"the demo_set dataset needs the optional package some-pkg \(why\); "
                                          r"fix: pip install 'leakpro\[extra\]'"):
        optional_module("leakpro_no_such_module", "demo_set", "some-pkg", "extra", " (why)")
    assert optional_module("json", "demo_set", "json", "none").dumps([1]) == "[1]"


# Issue 15 items 3 and 4: one pass finds every problem; a problem's consequences are not reported as more problems.

def _forest(tmp_path, frame):
    """A skops RandomForest on the numeric columns (its file needs one trusted type: the tree)."""
    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier

    from helpers import NUMERIC

    members = frame[frame["in_training"]]
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(members[NUMERIC], members["income"])
    sio.dump(model, tmp_path / "rf.skops")
    return sio.get_untrusted_types(file=tmp_path / "rf.skops")


def _table_config(path, **data):
    from helpers import NUMERIC

    spec = {"table": path.name, "label": "income", "members": {"column": "in_training"},
            "population": {"column": "is_population"}, "features": NUMERIC}
    spec.update(data)
    return {k: v for k, v in spec.items() if v is not None}


def _problems(cfg, tmp_path) -> tuple[list[str], tuple[str, ...]]:
    with pytest.raises(ConfigError) as info:
        run_audit(write_config(tmp_path, cfg), out=tmp_path / "out")
    return [str(i) for i in info.value.issues], getattr(info.value, "notes", ())


def test_a_misspelt_key_does_not_hide_misspelt_attack_parameters(tmp_path):
    path, frame = adult_table(tmp_path)
    trusted = _forest(tmp_path, frame)
    data = _table_config(path, label=None)
    data["lable"] = "income"
    cfg = {"data": data, "target": {"kind": "sklearn", "file": "rf.skops", "trusted_types": trusted},
           "attacks": ["loss", {"lira": {"referenec_models": 4, "fixed_varaince": True}}]}
    errors, notes = _problems(cfg, tmp_path)
    assert any(e.startswith("data.lable: unknown key") and "did you mean 'label'?" in e for e in errors), errors
    assert any(e.startswith("attacks[1].lira.referenec_models: unknown attack parameter") for e in errors), errors
    assert any(e.startswith("attacks[1].lira.fixed_varaince: unknown attack parameter") for e in errors), errors
    # data.label is missing only because of the typo: not a second problem, a note
    assert not any(e.startswith("data.label") for e in errors), errors
    assert any(n.startswith("data.label") and "data.lable" in n for n in notes), notes
    assert any(n.startswith("target:") and "once the data loads" in n for n in notes), notes  # loaded, not queried
    assert len(errors) == 3, errors


def test_a_misspelt_label_column_does_not_hide_the_members_column_or_the_trusted_types(tmp_path):
    path, frame = adult_table(tmp_path)
    _forest(tmp_path, frame)
    cfg = {"data": _table_config(path, label="incme", members={"column": "in_trainig"}),
           "target": {"kind": "sklearn", "file": "rf.skops"}}
    errors, _ = _problems(cfg, tmp_path)
    assert any(e.startswith("data.label: the label column is missing") for e in errors), errors
    assert any(e.startswith("data.members.column: column 'in_trainig' is not in the table") for e in errors), errors
    assert any(e.startswith("target.trusted_types: the skops file needs types") for e in errors), errors
    assert not any("is not given" in e for e in errors), errors  # the members column was given, and is reported
    assert len(errors) == 3, errors


def test_a_bad_members_column_is_one_problem(tmp_path):
    path, frame = adult_table(tmp_path)
    trusted = _forest(tmp_path, frame)
    cfg = {"data": _table_config(path, members={"column": "in_trainig"}),
           "target": {"kind": "sklearn", "file": "rf.skops", "trusted_types": trusted}}
    errors, _ = _problems(cfg, tmp_path)
    assert [e.split(":")[0] for e in errors] == ["data.members.column"], errors


def test_consequences_of_a_refused_field_become_notes(tmp_path):
    path, frame = adult_table(tmp_path)
    trusted = _forest(tmp_path, frame)
    cfg = {"seed": -1, "data": _table_config(path),
           "target": {"kind": "sklearn", "file": "rf.skops", "trusted_type": trusted},
           "attacks": ["loss", "rmai"]}
    errors, notes = _problems(cfg, tmp_path)
    assert any(e.startswith("seed:") for e in errors), errors
    assert any(e.startswith("target.trusted_type: unknown key") and "did you mean 'trusted_types'?" in e
               for e in errors), errors
    assert any(e.startswith("attacks[1].rmai: unknown attack") for e in errors), errors  # still checked
    assert not any(e.startswith("target.trusted_types") for e in errors), errors
    assert any(n.startswith("target.trusted_types") and "target.trusted_type" in n for n in notes), notes


def test_attacks_are_checked_when_a_required_section_is_missing(tmp_path):
    cfg = {"data": {"builtin": "adult"}, "target": {"train": True},
           "attacks": [{"lira": {"referenec_models": 4}}]}
    errors, notes = _problems(cfg, tmp_path)
    assert any(e.startswith("target.kind: required but missing") for e in errors), errors
    assert any(e.startswith("attacks[0].lira.referenec_models: unknown attack parameter") for e in errors), errors
    assert notes and "required fields" in notes[0]


def test_did_you_mean_prefers_a_swap_of_neighbouring_letters():
    from leakpro.config.schema import AuditConfig, DataSpec, TargetSpec
    from leakpro.config.suggest import did_you_mean

    assert did_you_mean("lable", DataSpec.model_fields) == "label"  # difflib alone says 'table'
    assert did_you_mean("memebrs", DataSpec.model_fields) == "members"
    assert did_you_mean("treat_model", AuditConfig.model_fields) == "threat_model"
    assert did_you_mean("trusted_type", TargetSpec.model_fields) == "trusted_types"
    assert did_you_mean("estimater", TargetSpec.model_fields) == "estimator"
    assert did_you_mean("colour", DataSpec.model_fields) is None
