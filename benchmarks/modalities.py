"""Membership audits on every built-in modality, at the sizes of the modality tests: target vs null AUCs.

    .venv/bin/python benchmarks/modalities.py [--only digits trace ...]

Prints, per dataset, the target's train/test accuracy, the runtime, and every attack's AUC with its 95%
DeLong interval for the target and the null control. Datasets whose optional extra is missing are skipped.
A measurement, not a test: the tests in ``tests/modalities`` assert the planted-leak / null-control bounds.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import torch

from leakpro.audit.runner import run_audit

ALL = [{"lira": {"mode": "online"}}, {"lira": {"mode": "offline"}}, {"rmia": {"mode": "online"}},
       {"rmia": {"mode": "offline"}}, "loss"]
RMIA_LOSS = [{"rmia": {"mode": "online"}}, {"rmia": {"mode": "offline"}}, "loss"]


def _config(seed: int, builtin: str, candidates: int, population: int, recipe: dict[str, Any],
            attacks: list[Any]) -> dict[str, Any]:
    return {"seed": seed, "data": {"builtin": builtin, "split": {"candidates": candidates, "population": population}},
            "target": {"kind": "torch", "train": True, "recipe": recipe}, "attacks": attacks,
            "reference": {"models": 4}, "null_target": True}


CONFIGS: dict[str, dict[str, Any]] = {
    "digits": _config(1, "digits", 600, 500, {"model": "cnn", "params": {"width": 16, "hidden": 64}, "epochs": 50,
                                               "batch_size": 32, "lr": 3e-3}, ALL),
    "fashion_mnist": _config(1, "fashion_mnist", 400, 500, {"model": "cnn", "params": {"width": 8, "hidden": 256},
                                                             "epochs": 100, "batch_size": 16, "lr": 3e-3,
                                                             "augment": ["hflip", "shift:1,0"]}, ALL),
    "trump_tweets": _config(2, "trump_tweets", 2000, 1000, {"model": "mlp", "params": {"hidden": [128]},
                                                             "epochs": 30, "batch_size": 64}, ALL),
    "trace": _config(4, "trace", 100, 50, {"model": "ts_cnn", "params": {"width": 16, "hidden": 64, "pool": "flatten"},
                                           "epochs": 100, "batch_size": 16, "lr": 3e-3}, RMIA_LOSS),
    "nci_tpsa": _config(5, "nci_tpsa", 300, 150, {"model": "gnn", "params": {"hidden": 128}, "epochs": 100,
                                                   "batch_size": 32, "lr": 3e-3}, RMIA_LOSS),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(CONFIGS), help="datasets to run (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.only or CONFIGS:
        start = time.perf_counter()
        try:
            result = run_audit(CONFIGS[name])
        except (ImportError, FileNotFoundError) as exc:
            print(f"## {name}: skipped ({exc})")
            continue
        target = next(t for t in result.targets if t.role == "target")
        print(f"## {name}: {result.data.n_candidates} candidates, accuracy members {target.train_accuracy:.3f} / "
              f"non-members {target.test_accuracy:.3f}, {time.perf_counter() - start:.1f} s")
        for t in result.targets:
            print(f"  {t.role}: " + "; ".join(f"{a.id} {a.auc.value:.3f} [{a.auc.low:.3f}, {a.auc.high:.3f}]"
                                              for a in t.attacks))


if __name__ == "__main__":
    main()
