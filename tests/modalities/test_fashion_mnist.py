"""Fashion-MNIST end to end: a CNN trained with flips and shifts, attacked with augmented queries.

The planted leak is a small CNN overfit on 200 members (train accuracy 0.96-0.995, test ≈ 0.7); the target
and the reference models are trained with ``augment: [hflip, shift:1,0]`` (the setting of Carlini et al.
2022, §VI). Two reference models (one IN, one OUT per candidate; LiRA's pooled variance), not four: a third
less training. Measured with two on seeds 1-6: AUC lower bounds on the target 0.582-0.621 (LiRA online),
0.581-0.661 (offline), 0.647-0.709 (RMIA online), 0.630-0.705 (offline), 0.550-0.645 (loss); every null
interval holds 0.5 (lows 0.393-0.498, highs 0.506-0.611). Fewer epochs do not keep the target overfit:
at 90, seed 6 trains to 0.945 (0.970 at 100). The data come from Debian's ``dataset-fashion-mnist``;
without it the tests skip.
"""

from __future__ import annotations

from typing import Any

import pytest

from leakpro.data.federated import load_fashion_mnist
from leakpro.results.types import AuditResult

from .audit_helpers import assert_null_clean, assert_planted_leak_found, attacks_by_id, run_single_threaded

ATTACKS = [{"lira": {"mode": "online"}}, {"lira": {"mode": "offline"}}, {"rmia": {"mode": "online"}},
           {"rmia": {"mode": "offline"}}, "loss"]
ATTACK_IDS = ["lira-online", "lira-offline", "rmia-online", "rmia-offline", "loss"]
AUGMENT = ["hflip", "shift:1,0"]


def fashion_config(seed: int = 1) -> dict[str, Any]:
    """400 candidates (200 members), 500 population, a null control, 2 reference models."""
    return {
        "seed": seed,
        "data": {"builtin": "fashion_mnist", "split": {"candidates": 400, "population": 500}},
        "target": {"kind": "torch", "train": True,
                   "recipe": {"model": "cnn", "params": {"width": 8, "hidden": 256}, "epochs": 100,
                              "batch_size": 16, "lr": 3e-3, "augment": AUGMENT}},
        "attacks": ATTACKS,
        "reference": {"models": 2},
        "null_target": True,
    }


@pytest.fixture(scope="module")
def fashion_audit() -> AuditResult:
    try:
        load_fashion_mnist("test")  # the small part: says what is missing and how to get it
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    return run_single_threaded(fashion_config())


def test_target_overfit_with_augmented_training(fashion_audit):
    assert fashion_audit.config["target"]["recipe"]["augment"] == AUGMENT
    target = next(t for t in fashion_audit.targets if t.role == "target")
    assert target.train_accuracy > 0.95 and target.test_accuracy > 0.6
    lira = attacks_by_id(fashion_audit, "target")["lira-online"]
    assert lira.queries == 4 * 900  # four augmentations (identity, hflip, two shifts) of every attacker record


@pytest.mark.parametrize("attack_id", ATTACK_IDS)
def test_planted_leak_found(fashion_audit, attack_id):
    assert_planted_leak_found(fashion_audit, attack_id)


@pytest.mark.parametrize("attack_id", ATTACK_IDS)
def test_null_control_clean(fashion_audit, attack_id):
    assert_null_clean(fashion_audit, attack_id)
