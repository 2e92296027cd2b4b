"""Planted and null cases for the server-side attacks (FedSGD and FedAvg)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from leakpro.data.federated import FederatedData
from leakpro.federated.attacks.dlg import DLG
from leakpro.federated.attacks.idlg import IDLG, recover_label_counts, recover_single_label
from leakpro.federated.attacks.inverting_gradients import InvertingGradients
from leakpro.federated.client import Protocol
from leakpro.federated.defences import LocalDefence
from leakpro.federated.metrics import label_accuracy, matched_image_scores, psnr

from .conftest import make_view


def mean_image_psnr(data: FederatedData, x: np.ndarray, exclude: int = 500) -> float:
    """Baseline: PSNR of the population mean image (from records the attack did not target)."""
    mean = data.x[-exclude:].mean(0).numpy()
    return float(np.mean([psnr(mean, xi) for xi in x]))


def random_image_psnr(data: FederatedData, x: np.ndarray, n: int = 200) -> float:
    """Baseline: expected PSNR of a random record of the same distribution."""
    others = data.x[-n:].numpy()
    return float(np.mean([psnr(o, xi) for o in others for xi in x]))


def test_idlg_single_label_exact(digits: FederatedData) -> None:
    for seed in range(6):
        view, _, y, _ = make_view(digits, "cnn", {"width": 4}, batch=1, seed=seed)
        assert recover_single_label(view) == int(y[0])


def test_batch_label_counts_exact(fashion: FederatedData) -> None:
    for batch in (4, 16):
        view, _, y, _ = make_view(fashion, "cnn", {"width": 8}, batch=batch, seed=batch)
        counts = recover_label_counts(view)
        assert counts.sum() == batch
        assert np.array_equal(counts, np.bincount(y, minlength=10))


def test_ig_on_mlp_fedsgd_recovers_the_image(fashion: FederatedData) -> None:
    # A first linear layer with bias determines the input analytically (∇W₁ = δ xᵀ, ∇b₁ = δ), so cosine
    # matching should drive the reconstruction to near-identity: 20 dB is a squared error of 1% of the range.
    view, x, y, _ = make_view(fashion, "mlp", {"hidden": [32]}, batch=1, seed=3)
    rec = InvertingGradients(iterations=200, random_state=0).run(view)
    _, psnrs, ssims = matched_image_scores(rec.x, x)
    assert psnrs[0] > 20.0
    assert ssims[0] > 0.8
    assert label_accuracy(rec.labels, y) == 1.0
    assert rec.losses[-1] < rec.losses[0]


def test_ig_on_small_cnn_beats_mean_image_and_improves(fashion: FederatedData) -> None:
    view, x, _, _ = make_view(fashion, "cnn", {"width": 16}, batch=1, seed=5)
    short = InvertingGradients(iterations=20, random_state=0).run(view)
    full = InvertingGradients(iterations=400, random_state=0).run(view)
    p_short = matched_image_scores(short.x, x)[1][0]
    p_full = matched_image_scores(full.x, x)[1][0]
    baseline = mean_image_psnr(fashion, x)
    assert full.matching_loss < short.matching_loss
    assert p_full > p_short + 3.0
    assert p_full > baseline + 5.0


def test_dlg_and_idlg_recover_a_digit(digits: FederatedData) -> None:
    view, x, y, _ = make_view(digits, "mlp", {"hidden": [32], "act": "sigmoid"}, batch=1, seed=2)
    for attack in (DLG(iterations=30, random_state=0), IDLG(iterations=30, random_state=0)):
        rec = attack.run(view)
        assert psnr(rec.x[0], x[0]) > 30.0, attack.name
        assert int(rec.labels[0]) == int(y[0]), attack.name


def test_fedavg_variant_replays_local_steps(digits: FederatedData) -> None:
    protocol = Protocol(algorithm="fedavg", local_steps=3, local_batch_size=2, lr=0.05)
    view, x, y, _ = make_view(digits, "mlp", {"hidden": [32]}, batch=2, protocol=protocol, seed=4)
    assert view.update.kind == "delta"
    rec = InvertingGradients(iterations=300, random_state=0).run(view)
    assert label_accuracy(rec.labels, y) == 1.0
    assert np.mean(matched_image_scores(rec.x, x)[1]) > mean_image_psnr(digits, x) + 8.0


def test_secure_aggregation_null_case(fashion: FederatedData) -> None:
    """Null: with 32 clients summed, the target's image is no better recovered than a population baseline."""
    single, x, _, _ = make_view(fashion, "mlp", {"hidden": [32]}, batch=1, n_clients=32, seed=7)
    aggregate, x2, _, _ = make_view(fashion, "mlp", {"hidden": [32]}, batch=1, n_clients=32, seed=7,
                                    secure_aggregation=True)
    assert np.array_equal(x, x2)
    p_single = psnr(InvertingGradients(iterations=150, random_state=0).run(single).x[0], x[0])
    p_aggregate = psnr(InvertingGradients(iterations=150, random_state=0).run(aggregate).x[0], x[0])
    baseline = mean_image_psnr(fashion, x)
    assert p_single > 20.0
    assert p_aggregate < p_single - 10.0
    assert p_aggregate < baseline + 2.0


def test_heavy_noise_null_case(fashion: FederatedData) -> None:
    defence = LocalDefence(clip=1.0, noise_multiplier=1.0)
    view, x, _, _ = make_view(fashion, "mlp", {"hidden": [32]}, batch=1, seed=8, defence=defence)
    p = psnr(InvertingGradients(iterations=150, random_state=0).run(view).x[0], x[0])
    assert p < random_image_psnr(fashion, x) + 2.0


def test_attack_params_are_validated() -> None:
    with pytest.raises(ValueError, match="iterations"):
        InvertingGradients(iterations=0)
    with pytest.raises(ValueError, match="extra"):
        InvertingGradients(iteratons=10)
    assert torch.get_num_threads() == 1
