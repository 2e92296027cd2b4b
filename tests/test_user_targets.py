"""Audits of a user's own target from a YAML config: sklearn (skops, pickle with trust), XGBoost,
LightGBM and PyTorch (safetensors, weights-only .pt). Each overfit target must be caught."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from sklearn.compose import make_column_transformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from helpers import NUMERIC, adult_table, write_config
from leakpro.audit.runner import run_audit
from leakpro.config.errors import ConfigError
from leakpro.training.models import MLP

CATEGORICAL = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex"]
ATTACKS = ["loss", {"rmia": {"reference_models": 4}}, "label_only_augmentation"]


def _data_spec(path, features=None):
    spec = {"table": path.name, "label": "income", "members": {"column": "in_training"},
            "population": {"column": "is_population"}}
    if features:
        spec["features"] = features
    return spec


def _rf_pipeline():
    enc = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), CATEGORICAL), remainder="passthrough")
    return make_pipeline(enc, RandomForestClassifier(n_estimators=40, random_state=0, n_jobs=1))


def _fit_members(model, frame, features):
    members = frame[frame["in_training"]]
    return model.fit(members[features], members["income"].map({"<=50K": 0, ">50K": 1}))


def _check_caught(result):
    aucs = {a.id: a.auc for a in result.targets[0].attacks}
    assert aucs["loss"].low > 0.5 and aucs["rmia"].low > 0.5, aucs
    return aucs


def test_sklearn_pipeline_from_skops(tmp_path):
    import skops.io as sio

    path, frame = adult_table(tmp_path)
    features = NUMERIC + CATEGORICAL
    model = _fit_members(_rf_pipeline(), frame, features)
    sio.dump(model, tmp_path / "rf.skops")
    cfg = {"seed": 0, "data": _data_spec(path, features), "attacks": ATTACKS,
           "target": {"kind": "sklearn", "file": "rf.skops"}}
    with pytest.raises(ConfigError, match=r"target\.trusted_types"):
        run_audit(write_config(tmp_path, cfg))
    cfg["target"]["trusted_types"] = sio.get_untrusted_types(file=tmp_path / "rf.skops")
    result = run_audit(write_config(tmp_path, cfg), out=tmp_path / "out")
    _check_caught(result)
    assert result.targets[0].train_accuracy > 0.95


def test_pickle_loads_only_with_trust(tmp_path):
    path, frame = adult_table(tmp_path)
    features = NUMERIC + CATEGORICAL
    joblib.dump(_fit_members(_rf_pipeline(), frame, features), tmp_path / "rf.joblib")
    cfg = {"data": _data_spec(path, features), "attacks": ["loss"],
           "target": {"kind": "sklearn", "file": "rf.joblib", "trust": True}}
    result = run_audit(write_config(tmp_path, cfg))
    assert result.targets[0].attacks[0].auc.low > 0.5


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_gradient_boosting_libraries(tmp_path, library):
    import skops.io as sio

    path, frame = adult_table(tmp_path)
    if library == "xgboost":
        from xgboost import XGBClassifier

        model = XGBClassifier(n_estimators=200, max_depth=8, learning_rate=0.3, n_jobs=1, random_state=0)
    else:
        from lightgbm import LGBMClassifier

        model = LGBMClassifier(n_estimators=200, num_leaves=63, min_child_samples=2, n_jobs=1, verbose=-1)
    _fit_members(model, frame, NUMERIC)
    sio.dump(model, tmp_path / "gb.skops")
    cfg = {"data": _data_spec(path, NUMERIC), "attacks": ATTACKS,
           "target": {"kind": "sklearn", "file": "gb.skops",
                      "trusted_types": sio.get_untrusted_types(file=tmp_path / "gb.skops")}}
    _check_caught(run_audit(write_config(tmp_path, cfg)))




@pytest.mark.parametrize("fmt", ["safetensors", "pt"])
def test_torch_weights(tmp_path, fmt):
    path, frame = adult_table(tmp_path)
    # numeric features standardised in the file, as the user's own pipeline would have done
    for c in NUMERIC:
        frame[c] = (frame[c] - frame[c].mean()) / frame[c].std()
    frame.to_csv(path, index=False)
    members = frame[frame["in_training"]]
    x = torch.tensor(members[NUMERIC].to_numpy(np.float32))
    y = torch.tensor(members["income"].map({"<=50K": 0, ">50K": 1}).to_numpy())
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = MLP(len(NUMERIC), 2, hidden=(128, 128))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    weights = tmp_path / f"mlp.{fmt}"
    if fmt == "safetensors":
        save_file(model.state_dict(), weights)
    else:
        torch.save(model.state_dict(), weights)
    recipe = {"optimizer": "adam", "lr": 1e-2, "epochs": 40, "batch_size": 600}
    cfg = {"data": _data_spec(path, NUMERIC), "attacks": ATTACKS,
           "target": {"kind": "torch", "model": "mlp", "params": {"hidden": [128, 128]},
                      "weights": weights.name, "recipe": recipe}}
    _check_caught(run_audit(write_config(tmp_path, cfg)))
    cfg["target"]["params"] = {"hidden": [64]}
    with pytest.raises(ConfigError, match=r"target\.weights: weights do not match the architecture"):
        run_audit(write_config(tmp_path, cfg))


def test_whole_module_pickle_refused_as_weights(tmp_path):
    path, _ = adult_table(tmp_path)
    torch.save(MLP(len(NUMERIC), 2), tmp_path / "whole.pt")  # a pickled module, not a state dict
    cfg = {"data": _data_spec(path, NUMERIC), "attacks": ["loss"],
           "target": {"kind": "torch", "model": "mlp", "weights": "whole.pt"}}
    with pytest.raises(ConfigError, match=r"target\.weights: whole\.pt is a pickle with code"):
        run_audit(write_config(tmp_path, cfg))


def _labels_only_config(path, model_file, threat="labels"):
    return {"seed": 0, "data": _data_spec(path, NUMERIC), "threat_model": threat, "attacks": "all",
            "target": {"kind": "sklearn", "file": model_file}}


def test_labels_only_linear_svc_is_audited_with_label_only_attacks(tmp_path):
    """LinearSVC has no predict_proba: the setup the error messages recommend (threat_model: labels) runs."""
    import skops.io as sio
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC
    from typer.testing import CliRunner

    from leakpro.cli.app import app

    path, frame = adult_table(tmp_path)
    model = _fit_members(make_pipeline(StandardScaler(), LinearSVC(random_state=0)), frame, NUMERIC)
    assert not hasattr(model, "predict_proba")
    sio.dump(model, tmp_path / "svc.skops")
    with pytest.raises(ConfigError, match=r"threat_model: LinearSVC|threat_model: Pipeline"):
        run_audit(write_config(tmp_path, _labels_only_config(path, "svc.skops", threat="scores")))
    config = write_config(tmp_path, _labels_only_config(path, "svc.skops"))
    result = run_audit(config, out=tmp_path / "out")
    target = result.targets[0]
    assert [a.id for a in target.attacks] == ["gap", "label_only_augmentation", "label_only_boundary"]
    assert target.threat_model == "labels" and "labels only" in target.description
    members = frame[frame["in_training"]]
    accuracy = (model.predict(members[NUMERIC]) == members["income"].map({"<=50K": 0, ">50K": 1})).mean()
    assert target.train_accuracy == pytest.approx(accuracy)  # labels read through the model's own classes
    cli = CliRunner().invoke(app, ["audit", str(config), "--out", str(tmp_path / "cli"), "--no-pdf"],
                             env={"COLUMNS": "120"})
    assert cli.exit_code == 0, cli.output
    assert "label_only_boundary" in cli.output and (tmp_path / "cli" / "results.json").is_file()


def test_labels_only_overfit_svm_is_caught(tmp_path):
    """An RBF SVM (no predict_proba) that memorised its members: the label-only attacks must see it."""
    import skops.io as sio
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    path, frame = adult_table(tmp_path)
    model = _fit_members(make_pipeline(StandardScaler(), SVC(gamma=5.0, C=1000.0)), frame, NUMERIC)
    sio.dump(model, tmp_path / "svm.skops")
    cfg = _labels_only_config(path, "svm.skops")
    cfg["attacks"] = [{"label_only_augmentation": {"noise": 0.02, "queries": 8}}, "label_only_boundary"]
    result = run_audit(write_config(tmp_path, cfg))
    target = result.targets[0]
    assert target.train_accuracy > 0.95 > target.test_accuracy
    assert all(a.auc.low > 0.5 for a in target.attacks), [(a.id, a.auc) for a in target.attacks]


def test_labels_only_estimator_trained_by_leakpro(tmp_path):
    """target.train with an estimator without predict_proba: refused under scores, audited under labels."""
    path, _ = adult_table(tmp_path)
    data = {"table": path.name, "label": "income", "features": NUMERIC,
            "split": {"candidates": 400, "population": 200}}
    cfg = {"data": data, "threat_model": "scores", "attacks": ["loss"],
           "target": {"kind": "sklearn", "train": True, "estimator": "sklearn.svm:LinearSVC"}}
    with pytest.raises(ConfigError, match=r"threat_model: LinearSVC has no predict_proba"):
        run_audit(write_config(tmp_path, cfg))
    cfg.update(threat_model="labels", attacks=["label_only_augmentation"], null_target=True)
    result = run_audit(write_config(tmp_path, cfg))
    assert [t.role for t in result.targets] == ["target", "null"]
    assert all(t.attacks[0].id == "label_only_augmentation" for t in result.targets)
