"""'Who leaks' for a user's table: the report re-reads it, and only while it still matches the audit."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from leakpro.audit.runner import run_audit
from leakpro.report import render_report
from leakpro.report.inputs import load_inputs


def _audit(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame({"blood_pressure": rng.normal(120, 15, n).round(1), "age": rng.integers(20, 90, n),
                          "outcome": rng.integers(0, 2, n)})
    table = tmp_path / "data" / "patients.csv"
    table.parent.mkdir()
    frame.to_csv(table, index=False)
    config = {"seed": 0, "data": {"table": "data/patients.csv", "label": "outcome",
                                  "split": {"candidates": 300, "population": 200}},
              "target": {"kind": "sklearn", "train": True, "estimator": "sklearn.tree:DecisionTreeClassifier"},
              "attacks": ["loss"]}
    import yaml

    path = tmp_path / "audit.yaml"
    path.write_text(yaml.safe_dump(config))
    out = tmp_path / "out"
    run_audit(path, out=out)
    return table, out / "results.json"


def test_exposed_records_show_their_features_from_the_users_table(tmp_path: Path) -> None:
    table, results = _audit(tmp_path)
    inputs = load_inputs(results)
    assert inputs.result is not None and inputs.result.data.base_dir == str(tmp_path.resolve())
    assert inputs.frame is not None and list(inputs.frame.columns) == ["blood_pressure", "age", "outcome"]
    html = render_report(results, tmp_path / "report", pdf=False).html.read_text(encoding="utf-8")
    assert "<b>blood pressure</b>" in html  # the most exposed members are listed with their features

    changed = pd.read_csv(table)
    changed.loc[0, "age"] += 1  # the table changed since the audit: its rows are no longer the audited ones
    changed.to_csv(table, index=False)
    assert load_inputs(results).frame is None
    table.unlink()  # and a table that is gone gives record numbers only, no crash
    assert load_inputs(results).frame is None


def test_who_leaks_leaves_out_the_secret_columns(results_dir: Path, tmp_path: Path) -> None:
    """The columns saying who trained the model (members) and who the attacker holds (population) are the
    challenger's secret, not a person's features (issue 15, item 8); the other columns are listed."""
    import json
    import shutil

    from leakpro.report import render_html
    from leakpro.results.types import AuditResult

    for item in results_dir.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy)(item, tmp_path / item.name)
    raw = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    raw["config"]["data"] = {"table": "patients.csv", "label": "outcome", "members": {"column": "in_training"},
                             "population": {"column": "public_sample"}}
    (tmp_path / "results.json").write_text(json.dumps(raw), encoding="utf-8")
    n = raw["data"]["n_records"]
    rows = pd.DataFrame({"age": np.arange(n) % 70 + 20, "blood_pressure": 120.5, "in_training": 1,
                         "public_sample": 0, "outcome": 1})

    def provider(result: AuditResult) -> pd.DataFrame:
        return rows

    inputs = load_inputs(tmp_path / "results.json", frame_provider=provider)
    assert inputs.frame is not None and list(inputs.frame.columns) == ["age", "blood_pressure", "outcome"]
    html = render_html(inputs)
    shown = re.findall(r'<span class="feat"><b>([^<]*)</b>', html)  # "who leaks" and each attack's top records
    assert shown and set(shown) == {"age", "blood pressure", "outcome"}
    assert "in training" not in html.split('id="appendix"')[0]  # the config in the appendix names the column
    assert list(rows.columns) == ["age", "blood_pressure", "in_training", "public_sample", "outcome"]  # not altered
