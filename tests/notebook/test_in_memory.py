"""``leakpro.audit_model`` runs the CLI's path: the same model and split audited from memory and from files give
identical figures; its refusals are the config's; its result displays, tabulates, saves and loads back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import leakpro
from helpers import adult_table, write_config
from leakpro.audit.runner import run_audit
from leakpro.config.errors import ConfigError
from leakpro.config.memory import held_names

CATEGORICAL = ["workclass", "education", "marital_status", "occupation", "relationship", "race", "sex",
               "native_country"]
ATTACKS = ["loss", "population", {"rmia": {"mode": "offline"}}, {"lira": {"mode": "offline"}}]
VOLATILE = {"runtime_s", "created", "stage_runtime_s", "config", "config_hash", "versions"}


def _strip(node: object) -> object:
    """results.json without what legitimately differs between two runs: timings, dates, the config itself and
    where the data came from (its name and folder)."""
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in VOLATILE}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, object]:
    tmp = tmp_path_factory.mktemp("identity")
    path, frame = adult_table(tmp, n=400, pop=200)
    features = [c for c in frame.columns if c not in {"income", "in_training", "is_population"}]
    model = make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
                                                  remainder="passthrough"),
                          RandomForestClassifier(n_estimators=25, random_state=0, n_jobs=1))
    members = frame[frame["in_training"]]
    model.fit(members[features], members["income"])
    return path, frame, model


def test_in_memory_and_file_audits_give_identical_figures(split, tmp_path: Path) -> None:
    import skops.io as sio  # here, not at collection: seconds in every test worker

    path, frame, model = split
    features = [c for c in frame.columns if c not in {"income", "in_training", "is_population"}]
    sio.dump(model, path.parent / "rf.skops")
    cfg = {"seed": 3, "attacks": ATTACKS, "reference": {"models": 4},
           "data": {"table": path.name, "label": "income", "features": features,
                    "members": {"column": "in_training"}, "population": {"column": "is_population"}},
           "target": {"kind": "sklearn", "file": "rf.skops",
                      "trusted_types": sio.get_untrusted_types(file=path.parent / "rf.skops")}}
    from_files = run_audit(write_config(path.parent, cfg), out=tmp_path / "files")
    member, pop = frame["in_training"], frame["is_population"]
    non_member = ~member & ~pop
    audit = leakpro.audit_model(
        model, members=(frame.loc[member, features], frame.loc[member, "income"]),
        non_members=(frame.loc[non_member, features], frame.loc[non_member, "income"]),
        population=(frame.loc[pop, features], frame.loc[pop, "income"]),
        attacks=ATTACKS, reference_models=4, seed=3, progress=False, out=tmp_path / "memory")
    files_json = json.loads((tmp_path / "files" / "results.json").read_text())
    memory_json = json.loads((tmp_path / "memory" / "results.json").read_text())
    for doc in (files_json, memory_json):
        doc["data"].pop("name"), doc["data"].pop("base_dir"), doc["data"].pop("fingerprint")
    assert _strip(memory_json) == _strip(files_json)
    assert len(from_files.targets[0].attacks) == len(ATTACKS) and audit.targets[0].attacks  # not vacuous
    assert from_files.targets[0].attacks[0].auc.value == audit.result.targets[0].attacks[0].auc.value
    # the per-record scores match record by record (the in-memory rows are members, non-members, population)
    mem = pd.read_csv(tmp_path / "memory" / "scores" / "target.csv")
    fil = pd.read_csv(tmp_path / "files" / "scores" / "target.csv")
    order = np.r_[np.flatnonzero(member), np.flatnonzero(non_member)]
    fil = fil.set_index("record").loc[order].reset_index(drop=True)
    pd.testing.assert_frame_equal(mem.drop(columns="record"), fil)
    assert memory_json["config"]["data"]["memory"] == "@in-memory data"
    assert held_names() == []  # the objects are let go once the audit ends


def test_result_view_table_save_and_load(split, tmp_path: Path) -> None:
    _, frame, model = split
    features = [c for c in frame.columns if c not in {"income", "in_training", "is_population"}]
    member = frame["in_training"].to_numpy()
    x = frame[features]
    audit = leakpro.audit_model(model, members=(x[member], frame.loc[member, "income"]),
                                non_members=(x[~member], frame.loc[~member, "income"]), attacks=["loss"],
                                data_name="<script>alert(1)</script>", progress=False)  # a hostile name, escaped
    table = audit.to_frame()
    assert list(table[["target", "attack_id"]].itertuples(index=False, name=None)) == [("target", "loss")]
    assert {"auc", "auc_low", "auc_high", "tpr@1%", "tpr@1%_low", "tpr@1%_high", "auc_simultaneous_low"} <= set(table)
    html = audit._repr_html_()
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'data-level="{audit.verdict}"' in html and "<svg" in html
    saved = audit.save(tmp_path / "kept")
    again = leakpro.load_result(saved)
    pd.testing.assert_frame_equal(again.to_frame(), table)
    assert again.verdict == audit.verdict
    paths = audit.report(tmp_path / "report", pdf=False)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in paths.html.read_text()


def test_refusals_name_the_problem_at_once() -> None:
    x = np.random.default_rng(0).normal(size=(40, 3))
    y = np.r_[np.zeros(20), np.ones(20)]
    model = LogisticRegression().fit(x, y)
    with pytest.raises(ConfigError) as caught:
        leakpro.audit_model(model, members=(x, y[:5]), non_members=x, recipe={"epochs": 3}, progress=False)
    fields = [i.field for i in caught.value.issues]
    assert fields == ["members", "non_members", "recipe"], caught.value
    with pytest.raises(ConfigError, match=r"attacks\[0\]\.lria: unknown attack") as caught:
        leakpro.audit_model(model, members=(x[:20], y[:20]), non_members=(x[20:], y[20:]), attacks=["lria"],
                            progress=False)
    assert any("reference_models" in n for n in caught.value.__notes__)  # config fields → the arguments


def test_object_without_get_params_runs_the_attacks_it_can() -> None:
    """Any object with predict_proba: reference attacks are left out of "all" (and said so), refused by name."""
    x = np.random.default_rng(1).normal(size=(200, 4))
    y = (x[:, 0] > 0).astype(int)
    fitted = LogisticRegression().fit(x[:100], y[:100])

    class Wrapped:  # not a scikit-learn estimator: sklearn.base.clone cannot copy it
        def predict_proba(self, features: np.ndarray) -> np.ndarray:
            return fitted.predict_proba(features)

    kwargs = {"members": (x[:100], y[:100]), "non_members": (x[100:], y[100:]), "progress": False}
    audit = leakpro.audit_model(Wrapped(), **kwargs)
    ran = set(audit.to_frame()["attack_id"])
    assert "loss" in ran and not any(a.startswith(("rmia", "lira", "shadow", "reference")) for a in ran)
    assert any("cannot be copied with sklearn.base.clone" in n for n in audit.notes)
    with pytest.raises(ConfigError, match=r"attacks\[0\]\.rmia: needs reference models"):
        leakpro.audit_model(Wrapped(), attacks=["rmia"], population=(x[:50], y[:50]), **kwargs)


def test_torch_module_needs_resettable_layers_for_default_recipe() -> None:
    import torch
    from torch import nn

    class Scale(nn.Module):  # parameters without reset_parameters()
        def __init__(self) -> None:
            super().__init__()
            self.w = nn.Parameter(torch.ones(2))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * self.w

    x, y = torch.randn(20, 2), torch.randint(0, 2, (20,))
    with pytest.raises(ConfigError, match=r"recipe\.model: .*reset_parameters"):
        leakpro.audit_model(Scale(), members=(x[:10], y[:10]), non_members=(x[10:], y[10:]), recipe={"epochs": 1},
                            progress=False)
