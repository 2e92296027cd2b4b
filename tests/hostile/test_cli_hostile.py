"""The command line under hostile input: a bad --out, broken result files, a port in use, markup in values,
an attack failing mid-audit. Each ends with a clear message and an exit code, never a traceback, and loses no
finished work."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from hostile.test_config_hostile import BOMB
from hostile.test_data_hostile import make_world, sk_config, write


def cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from leakpro.cli.app import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def flat(result: Any) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("hostile_cli"))


@pytest.fixture(scope="module")
def audited(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a small finished audit (results.json, scores/)."""
    from leakpro.audit.runner import run_audit

    out = tmp_path_factory.mktemp("audited")
    run_audit(write(world, sk_config(attacks=["loss", "population"]), "ok.yaml"), out=out)
    return out


TRAIN = sk_config(target={"kind": "sklearn", "train": True, "estimator": "sklearn.tree:DecisionTreeClassifier"},
                  data={"table": "t.csv", "label": "label", "features": ["a", "b", "c", "d"]},
                  reference={"models": 2}, attacks=["loss", "rmia"])


@pytest.mark.parametrize("where", ["file", "under-a-file", "proc"])
def test_an_unusable_out_is_refused_before_anything_trains(world, tmp_path, where):
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory")
    out = {"file": blocker, "under-a-file": blocker / "out", "proc": Path("/proc/leakpro-out")}[where]
    result = cli("audit", str(write(world, TRAIN, "train.yaml")), "--out", str(out), "--cache",
                 str(tmp_path / "cache"), "--no-pdf")
    text = flat(result)
    assert result.exit_code == 2 and "Config error — nothing was run." in text
    assert "--out: " in text and ("is a file" in text or "is not writable" in text)
    assert "Fix: give a directory you can write to" in text
    assert not (tmp_path / "cache").exists()  # no reference model was trained


def test_other_commands_check_out_too(world, tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("x")
    result = cli("synthetic", "--real", "r.csv", "--synthetic", "s.csv", "--control", "c.csv", "--out", str(blocker))
    text = flat(result)
    assert result.exit_code == 2 and f"--out: {blocker} is a file, not a directory" in text


def _broken(audited: Path, tmp: Path, change: str) -> Path:
    folder = tmp / "copy"
    shutil.copytree(audited, folder)
    results = folder / "results.json"
    data = json.loads(results.read_text())
    if change == "truncated":
        results.write_text(results.read_text()[:200])
    elif change == "missing-field":
        data["targets"][0].pop("train_accuracy")
        results.write_text(json.dumps(data))
    elif change == "wrong-type":
        data["targets"][0]["attacks"][0]["auc"] = "high"
        results.write_text(json.dumps(data))
    elif change == "missing-scores":
        (folder / "scores" / "target.csv").unlink()
    elif change == "scores-column":
        (folder / "scores" / "target.csv").write_text("record,member\n1,true\n")
    elif change == "binary":
        results.write_bytes(b"\x00\xff\xfe" * 50)
    elif change == "federated-sibling":
        (folder / "federated_results.json").write_text('{"kind": "federated"')
    return folder


@pytest.mark.parametrize(("change", "target", "problem"), [
    ("truncated", "results.json", r"results\.json: not valid JSON: .* at line \d+, column \d+ \(the file is cut short"),
    ("missing-field", "results.json", r"not a valid results\.json: field targets\.0\.train_accuracy: Field required"),
    ("wrong-type", "results.json", r"field targets\.0\.attacks\.0\.auc: Input should be an object"),
    ("missing-scores", "results.json", r"scores/target\.csv: this scores file, named in results\.json, is missing"),
    ("scores-column", "results.json", r"scores/target\.csv: lacks the attack column\(s\) \['loss', 'population'\] "
     r"that results\.json \(targets\[0\]\.attacks\) names"),
    ("binary", "results.json", r"results\.json: not UTF-8 text"),
    ("federated-sibling", ".", r"federated_results\.json: not valid JSON"),
], ids=["truncated", "missing-field", "wrong-type", "missing-scores", "scores-column", "binary", "federated-sibling"])
def test_report_on_a_broken_results_file_says_what_is_wrong(audited, tmp_path, change, target, problem):
    import re

    folder = _broken(audited, tmp_path, change)
    result = cli("report", str(folder / target if target != "." else folder), "--no-pdf")
    text = flat(result)
    assert result.exit_code == 2 and "Cannot re-render the report:" in text
    assert re.search(problem, text), text
    assert "re-render them with `leakpro report`" not in text and text.count("Fix:") == 1


@pytest.mark.parametrize("command", ["serve-model", "serve"])
def test_a_port_in_use_is_a_clear_error(world, tmp_path, command):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = ([str(world / "mlp.safetensors"), "--params", '{"hidden": [8]}'] if command == "serve-model"
                else ["--data-dir", str(tmp_path / "web")])
        result = cli(command, *args, "--port", str(port))
    text = flat(result)
    assert result.exit_code == 2
    what = "serve the model" if command == "serve-model" else "start the web app"
    assert f"Cannot {what}: port {port} on 127.0.0.1 is already in use" in text
    assert "Fix: stop that process, or choose another --port (--port 0 picks a free one)" in text


@pytest.mark.parametrize(("config", "shown"), [
    ({"attacks": [[float("nan"), 1.0]]}, "(got [nan, 1.0])"),
    ({"attacks": ["[bold]loss[/bold]"]}, "(got [bold]loss[/bold])"),
    ({"name": ["[link=https://evil.example]x[/link]"]}, "[link=https://evil.example]x[/link]"),
], ids=["nan-list", "rich-markup-name", "rich-link"])
def test_values_are_printed_literally_not_as_markup(world, tmp_path, config, shown):
    result = cli("audit", str(write(world, sk_config(**config), "markup.yaml")), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and shown in flat(result)


def test_an_attack_failing_mid_audit_keeps_the_others(world, tmp_path, monkeypatch):
    from leakpro.attacks.membership.loss import LossAttack

    def boom(self: Any, view: Any) -> Any:
        raise RuntimeError("the loss attack broke on [nan, 1.0]")

    monkeypatch.setattr(LossAttack, "scores", boom)
    result = cli("audit", str(write(world, sk_config(attacks=["loss", "population"]), "boom.yaml")),
                 "--out", str(tmp_path / "out"), "--no-pdf")
    text = flat(result)
    assert result.exit_code == 1
    assert "The audit is incomplete: 1 part(s) failed; everything else finished and saved in" in text
    assert "attack 'loss' on target 'target': RuntimeError: the loss attack broke on [nan, 1.0]" in text
    assert text.count("Fix:") == 1 and (tmp_path / "out" / "report.html").is_file()
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [a["id"] for a in saved["targets"][0]["attacks"]] == ["population"]
    assert saved["notes"][0].startswith("Incomplete: attack 'loss' on target 'target': RuntimeError")


@pytest.mark.parametrize("command", ["audit", "federated"])
def test_yaml_bombs_are_refused_by_every_config_reader(tmp_path, command):
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB.replace("seed: *f", "synthetic: *f") if command == "audit" else BOMB)
    result = cli(command, str(path), "--out", str(tmp_path / "o"))
    text = flat(result)
    assert result.exit_code == 2 and "YAML anchors and aliases are not allowed (line 1, column 4)" in text
    assert len(text) < 800 and "lol" not in text


def test_trust_flag_lets_the_cli_import_a_users_module(world, tmp_path):
    cfg = sk_config(target={"kind": "torch", "model": "leakpro.training.models:MLP", "weights": "mlp.safetensors",
                            "params": {"in_features": 4, "n_classes": 2, "hidden": [8]}})
    path = write(world, cfg, "own.yaml")
    refused = flat(cli("audit", str(path), "--out", str(tmp_path / "a"), "--no-pdf"))
    assert "target.model: importing 'leakpro.training.models' would run its code" in refused
    result = cli("audit", str(path), "--out", str(tmp_path / "b"), "--no-pdf", "--trust")
    assert result.exit_code == 0, result.output


def test_a_section_failing_keeps_the_membership_results(world, tmp_path, monkeypatch):
    import leakpro.audit.runner as runner

    def broken(*args: Any) -> Any:
        raise ValueError("the surrogate diverged")

    monkeypatch.setattr(runner, "run_extraction_section", broken)
    cfg = sk_config(attacks=["loss"], extraction={"attack": "knockoff", "params": {"budget": 50}})
    with pytest.raises(runner.AuditIncomplete) as err:
        runner.run_audit(write(world, cfg, "section.yaml"), out=tmp_path / "out")
    assert "section 'extraction': ValueError: the surrogate diverged" in str(err.value)
    assert [a.id for a in err.value.result.targets[0].attacks] == ["loss"] and err.value.result.extraction is None
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["notes"][0] == "Incomplete: section 'extraction': ValueError: the surrogate diverged; its results " \
                                "are missing."
