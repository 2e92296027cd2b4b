"""Gradient-inversion benchmark: PSNR / SSIM / label accuracy and time per attack on Fashion-MNIST (FedSGD).

Run: ``python benchmarks/gia.py [--seeds 3] [--iterations 1000]``. Each case attacks the first-round
update of client 0 (one record unless stated) on a fresh model; metrics are computed after matching,
against the population mean-image baseline. Falls back to 8×8 digits when Fashion-MNIST is absent.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import torch

from leakpro.data.federated import fashion_mnist_available, load_digits_images, load_fashion_mnist
from leakpro.federated.attacks.base import get_server_attack
from leakpro.federated.client import Protocol
from leakpro.federated.metrics import label_accuracy, matched_image_scores
from leakpro.federated.models import build_federated_model
from leakpro.federated.scoring import image_baselines
from leakpro.federated.simulation import FederatedSimulation


def cases(iterations: int) -> list[tuple[str, str, dict[str, Any], int, dict[str, Any]]]:
    """(attack, model, model params, batch size, attack params)."""
    return [
        ("inverting_gradients", "cnn", {"width": 16}, 1, {"iterations": iterations}),
        ("inverting_gradients", "cnn", {"width": 16}, 4, {"iterations": iterations}),
        ("inverting_gradients", "mlp", {"hidden": [64]}, 1, {"iterations": iterations // 4}),
        ("dlg", "mlp", {"hidden": [64], "act": "sigmoid"}, 1, {"iterations": 50}),
        ("idlg", "mlp", {"hidden": [64], "act": "sigmoid"}, 1, {"iterations": 50}),
        ("dlg", "cnn", {"width": 16, "act": "sigmoid"}, 1, {"iterations": 100}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = load_fashion_mnist("train") if fashion_mnist_available() else load_digits_images()
    print(f"data: {data.name}  seeds: {args.seeds}")
    print(f"{'attack':<22}{'model':<16}{'batch':>6}{'PSNR dB':>10}{'SSIM':>7}{'labels':>8}{'mean-img dB':>13}{'s':>7}")
    for attack_name, model_name, model_params, batch, params in cases(args.iterations):
        psnrs, ssims, labels, bases, seconds = [], [], [], [], []
        for seed in range(args.seeds):
            model = build_federated_model(model_name, model_params, input_shape=data.input_shape,
                                          n_classes=data.n_classes, seed=seed)
            sim = FederatedSimulation(data, model, Protocol(), n_clients=1, records_per_client=batch, seed=seed)
            view = sim.server_view(sim.initial_params, sim.round(sim.initial_params), 0)
            start = time.perf_counter()
            rec = get_server_attack(attack_name)(random_state=seed, **params).run(view)
            seconds.append(time.perf_counter() - start)
            x, y = sim.private_records(0)
            _, p, s = matched_image_scores(rec.x, x)
            psnrs.append(np.mean(p))
            ssims.append(np.mean(s))
            labels.append(label_accuracy(rec.labels, y))
            bases.append(image_baselines(data.x[sim.population[:500]].numpy(), x)[0])
        tag = f"{model_name}({','.join(f'{k}={v}' for k, v in model_params.items())})"
        print(f"{attack_name:<22}{tag[:15]:<16}{batch:>6}{np.mean(psnrs):>10.1f}{np.mean(ssims):>7.2f}"
              f"{np.mean(labels):>8.0%}{np.mean(bases):>13.1f}{np.mean(seconds):>7.1f}")


if __name__ == "__main__":
    main()
