"""``leakpro audit`` lists every config problem in one pass (issue 15 item 3), and ``--trust`` still lifts the
problems that only trust can lift when the config also has a problem its schema refuses."""

from __future__ import annotations

from typer.testing import CliRunner

from helpers import NUMERIC, adult_table, write_config
from leakpro.cli.app import app


def _audit(tmp_path, cfg, *extra: str):
    path = write_config(tmp_path, cfg)
    return CliRunner().invoke(app, ["audit", str(path), "--out", str(tmp_path / "out"), "--no-pdf", *extra],
                              env={"COLUMNS": "300"})


def test_trust_issues_follow_the_trust_flag_when_the_schema_also_refuses_a_field(tmp_path):
    path, _ = adult_table(tmp_path)
    cfg = {"data": {"table": path.name, "label": "income", "features": NUMERIC, "split": {"candidates": 400,
                                                                                          "population": 200}},
           "target": {"kind": "sklearn", "train": True, "estimator": "my_models.forest:Forest"},
           "attacks": ["loss"], "null_targte": True}
    plain = _audit(tmp_path, cfg)
    assert plain.exit_code == 2, plain.output
    assert "null_targte: unknown key" in plain.output and "did you mean 'null_target'?" in plain.output
    assert "target.estimator: importing 'my_models.forest' would run its code" in plain.output
    trusted = _audit(tmp_path, cfg, "--trust")
    assert trusted.exit_code == 2, trusted.output
    assert "null_targte: unknown key" in trusted.output
    assert "target.estimator" not in trusted.output  # --trust lifts it (the module is imported once the key is fixed)
    assert "1 problem(s)" in trusted.output


def test_notes_name_the_checks_that_wait(tmp_path):
    path, _ = adult_table(tmp_path)
    cfg = {"data": {"table": path.name, "label": "income", "members": {"column": "in_training"},
                    "population": {"colunm": "is_population"}, "features": NUMERIC},
           "target": {"kind": "sklearn", "file": "missing.skops"}, "attacks": ["loss", "population", "rmai"]}
    result = _audit(tmp_path, cfg)
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "data.population.colunm: unknown key" in out and "did you mean 'column'?" in out
    assert "attacks[2].rmai: unknown attack" in out and "target.file: file not found" in out
    # the population attack lacks population records only because the population column was misspelt
    assert "attacks[1].population" not in out.split("Not checked yet")[0]
    assert "Not checked yet" in out and "attacks[1].population: checked again once data.population" in out
