"""Config validation (every problem at once), the runner end to end on digits, defences, the demo face."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from rich.console import Console

from leakpro.commands.federated import run_federated_command, run_federated_demo
from leakpro.data.federated import FederatedData, load_fashion_mnist
from leakpro.federated.client import Client, Protocol, model_params
from leakpro.federated.config import FederatedConfigError, parse_federated_config
from leakpro.federated.defences import LocalDefence, clip_update, prune_update
from leakpro.federated.models import build_federated_model
from leakpro.federated.results import FederatedAuditResult
from leakpro.federated.runner import RESULTS_FILE, run_federated_audit


def test_config_lists_every_problem() -> None:
    with pytest.raises(FederatedConfigError) as err:
        parse_federated_config({"data": {"name": "mnist"}, "protocl": {}, "clients": {"count": 0}})
    text = str(err.value)
    assert "data.name" in text and "protocl" in text and "clients.count" in text
    with pytest.raises(FederatedConfigError) as err:
        parse_federated_config({
            "clients": {"count": 2, "target": 5},
            "protocol": {"rounds": 1, "attack_round": 1},
            "attacks": [{"inverting_gradient": {}}, {"dlg": {"iteratons": 3}}],
            "model": {"name": "resnet"},
        })
    problems = err.value.problems
    assert len(problems) == 5
    assert any("did you mean 'inverting_gradients'" in p for p in problems)
    assert any("attacks[1].dlg.iteratons" in p for p in problems)
    with pytest.raises(FederatedConfigError, match="tabular_inversion"):
        parse_federated_config({"data": {"name": "adult"}, "model": {"name": "tabular_mlp"}})
    with pytest.raises(FederatedConfigError, match="local_dp needs clip"):
        parse_federated_config({"defences": [{"kind": "local_dp"}]})


def test_fashion_mnist_missing_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEAKPRO_FASHION_MNIST", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist()


def test_fashion_mnist_reads_the_idx_files(fashion: FederatedData) -> None:
    assert fashion.x.shape == (10000, 1, 28, 28)
    assert float(fashion.x.min()) == 0.0 and float(fashion.x.max()) == 1.0
    assert np.array_equal(np.bincount(fashion.y.numpy()), np.full(10, 1000))


def test_defences_transform_the_update(digits: FederatedData) -> None:
    model = build_federated_model("mlp", {"hidden": [8]}, input_shape=(1, 8, 8), n_classes=10, seed=0)
    params = model_params(model)
    raw = Client(0, digits.x[:4], digits.y[:4]).update(model, params, Protocol()).tensors
    clipped = clip_update(raw, 1e-3)
    assert float(torch.sqrt(sum((t**2).sum() for t in clipped.values()))) == pytest.approx(1e-3, rel=1e-4)
    pruned = prune_update(raw, 0.9)
    kept = sum(int((t != 0).sum()) for t in pruned.values())
    total = sum(t.numel() for t in raw.values())
    assert kept <= 0.1 * total + 1
    noisy = Client(0, digits.x[:4], digits.y[:4], defence=LocalDefence(clip=1.0, noise_multiplier=1.0))
    assert not torch.equal(noisy.update(model, params, Protocol()).tensors["net.0.weight"], raw["net.0.weight"])
    with pytest.raises(ValueError, match=r"noise_multiplier needs defence\.clip"):
        LocalDefence(noise_multiplier=1.0)


def _small_config() -> dict:
    return {
        "seed": 1,
        "data": {"name": "digits"},
        "model": {"name": "mlp", "params": {"hidden": [32]}},
        "clients": {"count": 32, "records_per_client": 1},
        "protocol": {"rounds": 2, "attack_round": 1},
        "attacks": [{"inverting_gradients": {"iterations": 150}}, {"idlg": {"iterations": 20}}],
        "defences": [{"kind": "secure_aggregation"}, {"kind": "local_dp", "clip": 0.1, "noise_multiplier": 1.0}],
        "sweep": {"batch_sizes": [1, 4], "local_steps": [1, 2]},
        "client_mia": {"rounds": 5, "records_per_client": 20},
    }


def test_runner_end_to_end(tmp_path: Path) -> None:
    result = run_federated_audit(_small_config(), tmp_path)
    saved = FederatedAuditResult.from_json((tmp_path / RESULTS_FILE).read_text())
    assert saved == result
    ig, idlg = result.attacks
    assert ig.beats_baseline and idlg.label_accuracy == 1.0
    assert ig.mean_psnr is not None and ig.mean_psnr > 25.0
    assert all(not d.beats_baseline for d in result.defences)  # 32-client aggregate and heavy noise
    assert [(s.setting.batch_size, s.setting.local_steps) for s in result.sweep] == [(1, 1), (4, 1), (1, 2), (4, 2)]
    assert result.sweep[2].setting.algorithm == "fedavg"
    assert all((tmp_path / o.image).is_file() for o in [*result.attacks, *result.defences, *result.sweep] if o.image)
    assert result.client_mia is not None and result.client_mia.null_auc_low < 0.5 < result.client_mia.null_auc_high
    assert json.loads((tmp_path / RESULTS_FILE).read_text())["kind"] == "federated"


def test_command_and_quick_demo(tmp_path: Path) -> None:
    config = tmp_path / "federated.yaml"
    config.write_text("data: {name: digits}\nmodel: {name: mlp, params: {hidden: [16]}}\n"
                      "attacks:\n  - idlg: {iterations: 5}\n")
    console = Console(record=True, width=120)
    result = run_federated_command(config, tmp_path / "cmd", console)
    assert result.attacks[0].label_accuracy == 1.0
    assert "Curious server" in console.export_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: {name: digits}\nattack: []\n")
    with pytest.raises(FederatedConfigError, match="attack"):
        run_federated_command(bad, tmp_path / "bad", console)
    demo = run_federated_demo(tmp_path / "demo", quick=True, console=Console(record=True, width=120))
    assert demo.data == "digits" and demo.attacks[0].beats_baseline
