"""'Who leaks' for a user's table: the report re-reads it, and only while it still matches the audit."""

from __future__ import annotations

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
