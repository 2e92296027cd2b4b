"""End to end through files: the audit writes a complete JSON and is repeatable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from rich.console import Console

from leakpro.commands.synthetic import RESULTS_FILE, run_synthetic
from leakpro.synthetic import audit_synthetic

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
    a = audit_synthetic(ori.iloc[:200], other.iloc[:200], control.iloc[:200], **kwargs)  # type: ignore[arg-type]
    b = audit_synthetic(ori.iloc[:200], other.iloc[:200], control.iloc[:200], **kwargs)  # type: ignore[arg-type]
    assert a.secrets == list(ori.columns) and a.secrets_source == "default: every column"
    assert len(a.attacks) == 3 + 2 * len(ori.columns)
    strip = {
        "runtime_s": True,
        "attacks": {"__all__": {"runtime_s"}},
        "membership": {"__all__": {"runtime_s"}},
    }
    assert a.model_dump(exclude=strip) == b.model_dump(exclude=strip)  # type: ignore[arg-type]


FACE_COLUMNS = ["age", "workclass", "race", "sex", "hours_per_week", "income"]  # numeric and categorical


def _tables(tmp_path: Path, adult_parts: Parts) -> list[Path]:
    """Small tables (300 rows, six of Adult's columns): the faces' files are checked here, not the figures."""
    ori, control, other = (part[FACE_COLUMNS] for part in adult_parts)
    paths = [tmp_path / "ori.csv", tmp_path / "syn.csv", tmp_path / "control.csv"]
    ori.iloc[:300].to_csv(paths[0], index=False)
    other.iloc[:300].to_csv(paths[1], index=False)
    control.iloc[:300].to_csv(paths[2], index=False)
    return paths


def test_every_synthetic_face_writes_the_report(tmp_path: Path, adult_parts: Parts) -> None:
    """`leakpro synthetic` and `leakpro audit synthetic.yaml` write report.html and report.pdf beside the results,
    and `leakpro report synthetic_results.json` re-renders them (issue 15, item 5)."""
    import subprocess

    import yaml
    from typer.testing import CliRunner

    from leakpro.cli.app import app

    real, syn, control = _tables(tmp_path, adult_parts)
    cli = CliRunner()
    args = ["--real", str(real), "--synthetic", str(syn), "--control", str(control), "--attacks", "40"]
    done = cli.invoke(app, ["synthetic", *args, "--out", str(tmp_path / "cli")], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    html = (tmp_path / "cli" / "report.html").read_text(encoding="utf-8")
    assert 'id="synthetic"' in html and "Synthetic data" in html
    pdf = tmp_path / "cli" / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "Synthetic data" in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                              check=True).stdout
    assert "Report:" in done.output and "report.html" in done.output

    config = tmp_path / "synthetic.yaml"
    config.write_text(yaml.safe_dump({"synthetic": {"real": "ori.csv", "synthetic": "syn.csv",
                                                    "control": "control.csv", "n_attacks": 40}}))
    done = cli.invoke(app, ["audit", str(config), "--out", str(tmp_path / "yaml")], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert (tmp_path / "yaml" / "report.html").is_file() and (tmp_path / "yaml" / "report.pdf").is_file()
    done = cli.invoke(app, ["synthetic", *args, "--out", str(tmp_path / "nopdf"), "--no-pdf"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert (tmp_path / "nopdf" / "report.html").is_file() and not (tmp_path / "nopdf" / "report.pdf").exists()

    for item in ("report.html", "report.pdf"):
        (tmp_path / "cli" / item).unlink()
    done = cli.invoke(app, ["report", str(tmp_path / "cli" / RESULTS_FILE), "--no-pdf"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert (tmp_path / "cli" / "report.html").read_text(encoding="utf-8") == html
    assert not (tmp_path / "cli" / "report.pdf").exists()


def test_a_synthetic_result_under_another_name_is_named_as_such(tmp_path: Path) -> None:
    """Not 19 pydantic errors for AuditResult: the file is recognised and the fix given."""
    from typer.testing import CliRunner

    from leakpro.cli.app import app

    renamed = tmp_path / "my_synthetic.json"
    renamed.write_text(json.dumps({"secrets": ["income"], "membership": [], "linkability_split": [[], []],
                                   "attacks": []}))
    done = CliRunner().invoke(app, ["report", str(renamed)], env={"COLUMNS": "300"})
    assert done.exit_code != 0
    text = " ".join(done.output.split())
    assert "this is a synthetic-data audit's result, not a membership results.json" in text
    assert "name it synthetic_results.json" in text and "validation error" not in text
