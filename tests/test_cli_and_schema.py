"""The command line and the results schema."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import jsonschema
from typer.testing import CliRunner

from leakpro.cli.app import app
from leakpro.results.schema import committed_schema, generated_schema, validate_results


def test_help_is_fast_and_lists_commands():
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "leakpro", "--help"], capture_output=True, text=True, check=True)
    assert time.perf_counter() - start < 10  # generous: the point is no heavy import (checked below)
    for command in ("demo", "audit", "attacks", "synthetic"):
        assert command in proc.stdout
    probe = "import sys, leakpro.cli.app; print(sorted(m for m in ('torch','sklearn','pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_datasets_lists_every_builtin_with_its_licence():
    from leakpro.data.registry import builtin_datasets

    result = CliRunner().invoke(app, ["datasets"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for name, entry in builtin_datasets().items():
        assert name in result.output and entry.licence.split(" ")[0] in result.output
    assert "leakpro[faces]" in result.output  # not eaten as rich markup


def test_attacks_lists_every_registered_attack():
    from leakpro.attacks.membership.base import registered_attacks

    result = CliRunner().invoke(app, ["attacks"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    for name, cls in registered_attacks().items():
        assert name in result.stdout and cls.paper.split(",")[0] in result.stdout


def test_audit_reports_config_errors_with_exit_code_2(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("data: {builtin: adlt}\ntarget: {kind: torch, train: true, recipe: {epochs: 1}}\n")
    result = CliRunner().invoke(app, ["audit", str(cfg), "--out", str(tmp_path / "o")], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "data.builtin: unknown built-in dataset" in result.stdout and "'adult'" in result.stdout


def test_committed_schema_matches_the_models():
    assert committed_schema() == generated_schema(), "run: python -m leakpro.results.schema"


def test_results_follow_the_schema(planted_audit):
    _, out = planted_audit
    data = json.loads((out / "results.json").read_text())
    validate_results(data)
    data["targets"][0]["attacks"][0].pop("auc")
    try:
        validate_results(data)
    except jsonschema.ValidationError as exc:
        assert "auc" in str(exc)
    else:
        raise AssertionError("a result without its AUC must not validate")


def test_synthetic_command_end_to_end(tmp_path):
    from leakpro.data.adult import load_adult_frame

    table = load_adult_frame("train").sample(400, random_state=0).reset_index(drop=True)
    real, control = table.iloc[:200], table.iloc[200:]
    paths = {}
    for name, frame in (("real", real), ("syn", real), ("control", control)):  # a copy: must leak
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    args = ["synthetic", "--real", str(paths["real"]), "--synthetic", str(paths["syn"]),
            "--control", str(paths["control"]), "--out", str(tmp_path / "out"), "--attacks", "60"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stdout
    assert json.loads((tmp_path / "out" / "synthetic_results.json").read_text())
    bad = CliRunner().invoke(app, [*args, "--column-type", "age=numric"], env={"COLUMNS": "200"})
    assert bad.exit_code == 2 and "column_types['age']" in bad.stdout


def test_synthetic_audit_through_a_config(tmp_path):
    from leakpro.data.adult import load_adult_frame

    table = load_adult_frame("train").sample(600, random_state=1).reset_index(drop=True)
    table.iloc[:300].to_csv(tmp_path / "ori.csv", index=False)
    table.iloc[:300].to_csv(tmp_path / "syn.csv", index=False)
    table.iloc[300:].to_csv(tmp_path / "control.csv", index=False)
    cfg = tmp_path / "synthetic.yaml"
    cfg.write_text("synthetic:\n  real: ori.csv\n  synthetic: syn.csv\n  control: control.csv\n"
                   "  secrets: [income]\n  n_attacks: 50\n")
    result = CliRunner().invoke(app, ["audit", str(cfg), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stdout
    data = json.loads((tmp_path / "out" / "synthetic_results.json").read_text())
    assert "income" in json.dumps(data)
    cfg.write_text("synthetic:\n  real: ori.csv\n  synthetic: syn.csv\n  contrl: control.csv\n")
    bad = CliRunner().invoke(app, ["audit", str(cfg), "--out", str(tmp_path / "o2")], env={"COLUMNS": "200"})
    assert bad.exit_code == 2 and "synthetic.contrl" in bad.stdout and "synthetic.control" in bad.stdout


def test_trust_flag_and_index_file(tmp_path):
    import joblib
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier

    from helpers import NUMERIC, adult_table, write_config

    path, frame = adult_table(tmp_path)
    members = frame[frame["in_training"]]
    tree = DecisionTreeClassifier(random_state=0).fit(members[NUMERIC], members["income"].map({"<=50K": 0, ">50K": 1}))
    joblib.dump(tree, tmp_path / "tree.pkl")
    np.save(tmp_path / "train_idx.npy", np.flatnonzero(frame["in_training"].to_numpy()))
    cfg = write_config(tmp_path, {
        "data": {"table": path.name, "label": "income", "features": NUMERIC,
                 "members": {"index_file": "train_idx.npy"}, "population": {"column": "is_population"}},
        "target": {"kind": "sklearn", "file": "tree.pkl"}, "attacks": ["loss"]})
    refused = CliRunner().invoke(app, ["audit", str(cfg), "--out", str(tmp_path / "o1")], env={"COLUMNS": "250"})
    assert refused.exit_code == 2 and "pickles can run arbitrary code" in refused.stdout
    ok = CliRunner().invoke(app, ["audit", str(cfg), "--out", str(tmp_path / "o2"), "--trust"], env={"COLUMNS": "250"})
    assert ok.exit_code == 0, ok.stdout
    result = json.loads((tmp_path / "o2" / "results.json").read_text())
    assert result["data"]["n_members"] == int(frame["in_training"].sum())
    assert result["targets"][0]["attacks"][0]["auc"]["low"] > 0.5  # a fully grown tree memorises its members


def test_report_command_rerenders_without_running_attacks(planted_audit, tmp_path):
    _, out = planted_audit
    result = CliRunner().invoke(app, ["report", str(out / "results.json"), "--out", str(tmp_path), "--no-pdf"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stdout
    html = (tmp_path / "report.html").read_text()
    data = json.loads((out / "results.json").read_text())
    assert f"{data['targets'][0]['attacks'][0]['auc']['value']:.3f}" in html
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nope.json")], env={"COLUMNS": "200"})
    assert missing.exit_code == 2


def test_quick_demo_through_the_cli(tmp_path, monkeypatch):
    """``leakpro demo --quick`` end to end (audit, table, report), on a smaller split of the quick demo's config:
    the quick config itself must validate, and everything else about it (model, recipe, every attack, four
    reference models, the null control) is what runs here."""
    from leakpro.audit.plan import parse_config
    from leakpro.commands import demo as demo_module

    quick_config = demo_module.demo_config
    parse_config(quick_config(0, quick=True))  # raises ConfigError if the quick demo's own config went bad
    asked: list[bool] = []

    def smaller_split(seed: int = 0, quick: bool = False) -> dict:
        asked.append(quick)
        cfg = quick_config(seed, quick)
        cfg["data"]["split"] = {"candidates": 800, "population": 400}  # quick: 2,000 and 1,000
        return cfg

    monkeypatch.setattr(demo_module, "demo_config", smaller_split)
    result = CliRunner().invoke(app, ["demo", "--quick", "--out", str(tmp_path), "--no-pdf"], env={"COLUMNS": "200"})
    assert asked == [True]
    assert result.exit_code == 0, result.stdout
    assert "null control AUC" in result.stdout and "rmia-online" in result.stdout
    data = json.loads((tmp_path / "results.json").read_text())
    validate_results(data)
    assert [t["role"] for t in data["targets"]] == ["target", "null"]
    assert (tmp_path / "report.html").is_file() and (tmp_path / "scores" / "null.csv").is_file()
