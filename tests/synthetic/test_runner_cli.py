"""End to end through files: the audit writes a complete JSON and is repeatable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from rich.console import Console

from leakpro.synthetic import audit_synthetic
from leakpro.synthetic.cli import RESULTS_FILE, run_synthetic

Parts = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def test_run_synthetic_writes_results(tmp_path: Path, adult_parts: Parts) -> None:
    ori, control, _ = adult_parts
    paths = [tmp_path / "ori.csv", tmp_path / "syn.parquet", tmp_path / "control.csv"]
    ori.iloc[:600].to_csv(paths[0], index=False)
    ori.iloc[:600].to_parquet(paths[1])
    control.iloc[:600].to_csv(paths[2], index=False)
    console = Console(record=True, width=160)
    res = run_synthetic(
        paths[0],
        paths[1],
        paths[2],
        tmp_path / "out",
        secrets=["income", "age"],
        n_attacks=100,
        seed=3,
        console=console,
    )
    data = json.loads((tmp_path / "out" / RESULTS_FILE).read_text())
    assert data["secrets"] == ["income", "age"] and data["secrets_source"] == "stated"
    assert data["column_types"]["age"] == "numeric" and data["column_types"]["sex"] == "categorical"
    assert sorted(data["linkability_split"][0] + data["linkability_split"][1]) == sorted(data["aux_columns"])
    names = {a["attack"] + "/" + a["variant"] for a in data["attacks"]}
    assert {
        "singling_out/univariate",
        "singling_out/multivariate",
        "linkability/k=1",
        "inference/nearest",
        "inference/model",
    } <= names
    assert all(a["baseline"]["trials"] > 0 for a in data["attacks"])
    assert {m["variant"] for m in data["membership"]} == {"dcr", "domias"}
    assert data["seed"] == 3 and data["versions"]["numpy"]
    assert res.family_risks()["linkability"] > 0
    assert "risk [95% CI]" in console.export_text()


def test_defaults_recorded_and_audit_repeatable(adult_parts: Parts) -> None:
    ori, control, other = adult_parts
    kwargs = {"n_attacks": 60, "seed": 5}
    a = audit_synthetic(ori.iloc[:400], other.iloc[:400], control.iloc[:400], **kwargs)  # type: ignore[arg-type]
    b = audit_synthetic(ori.iloc[:400], other.iloc[:400], control.iloc[:400], **kwargs)  # type: ignore[arg-type]
    assert a.secrets == list(ori.columns) and a.secrets_source == "default: every column"
    assert len(a.attacks) == 3 + 2 * len(ori.columns)
    strip = {
        "runtime_s": True,
        "attacks": {"__all__": {"runtime_s"}},
        "membership": {"__all__": {"runtime_s"}},
    }
    assert a.model_dump(exclude=strip) == b.model_dump(exclude=strip)  # type: ignore[arg-type]
