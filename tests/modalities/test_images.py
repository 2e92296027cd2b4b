"""Images: a CNN on digits with augmented queries; the planted leak is found and the null control is clean."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from leakpro.attacks.membership.lira import lira_scores, lira_scores_multi
from leakpro.attacks.membership.rmia import log_prob_augmented, log_prob_labels
from leakpro.config.augmentations import check_augmentations
from leakpro.data.augment import apply_augmentation
from leakpro.data.registry import builtin_datasets
from leakpro.results.types import AuditResult
from leakpro.training.models import build_model

from .audit_helpers import assert_null_clean, assert_planted_leak_found, attacks_by_id, run_single_threaded

ATTACKS = [{"lira": {"mode": "online"}}, {"lira": {"mode": "offline"}}, {"rmia": {"mode": "online"}},
           {"rmia": {"mode": "offline"}}, "loss"]


def digits_config(seed: int = 1) -> dict[str, Any]:
    """A CNN overfit on 300 digits (train accuracy 1.0, test ≈ 0.95), a null control, 4 reference models."""
    return {
        "seed": seed,
        "data": {"builtin": "digits", "split": {"candidates": 600, "population": 500}},
        "target": {"kind": "torch", "train": True,
                   "recipe": {"model": "cnn", "params": {"width": 16, "hidden": 64}, "epochs": 50,
                              "batch_size": 32, "lr": 3e-3}},
        "attacks": ATTACKS,
        "reference": {"models": 4},
        "null_target": True,
    }


@pytest.fixture(scope="module")
def digits_audit() -> AuditResult:
    return run_single_threaded(digits_config())



def test_registered_with_licence_and_augmentations():
    entries = builtin_datasets()
    assert {"digits", "fashion_mnist"} <= set(entries)
    assert "CC BY" in entries["digits"].licence and "MIT" in entries["fashion_mnist"].licence
    ds = entries["digits"].load()
    assert ds.features.shape == (1797, 1, 8, 8) and ds.augmentations[0] == "identity"
    assert ds.subset(np.arange(5)).augmentations == ds.augmentations
    check_augmentations(ds.augmentations)


def test_augmentations_known_answers():
    x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    assert apply_augmentation(x, "hflip")[0, 0, 0].tolist() == [2.0, 1.0, 0.0]
    assert apply_augmentation(x, "shift:0,1")[0, 0].tolist() == [[0, 0, 0], [0, 1, 2], [3, 4, 5]]
    assert apply_augmentation(x, "shift:-1,0")[0, 0, :, 2].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="unknown augmentation"):
        apply_augmentation(x, "rotate:5")
    with pytest.raises(ValueError, match="start with 'identity'"):
        check_augmentations(("hflip", "identity"))


def test_multi_query_reduces_to_single_query():
    rng = np.random.default_rng(0)
    ref, tgt = rng.normal(size=(6, 40)), rng.normal(size=40)
    trained = np.zeros((6, 40), dtype=bool)
    trained[::2] = True
    single = lira_scores(tgt, ref, trained, True, True)
    assert np.allclose(lira_scores_multi(tgt[None], ref[:, None], trained, True, True), single)
    assert np.allclose(lira_scores_multi(np.stack([tgt, tgt]), np.stack([ref, ref], 1), trained, True, True),
                       2 * single)
    logits, labels = rng.normal(size=(3, 40, 4)), rng.integers(0, 4, 40)
    assert np.allclose(log_prob_augmented(logits[:, None], labels, 1.0), log_prob_labels(logits, labels, 1.0))


def test_cnn_builds_from_flat_and_image_features():
    model = build_model("cnn", {}, 64, 10)
    assert model(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    assert model(torch.zeros(3, 64)).shape == (3, 10)
    with pytest.raises(ValueError, match="square"):
        build_model("cnn", {}, 60, 10)


def test_target_overfit_and_augmented_queries_used(digits_audit):
    target = next(t for t in digits_audit.targets if t.role == "target")
    assert target.train_accuracy > 0.99 and target.test_accuracy > 0.8
    lira = attacks_by_id(digits_audit, "target")["lira-online"]
    assert lira.queries == 4 * 1100  # four augmentations of every attacker record


@pytest.mark.parametrize("attack_id", ["lira-online", "lira-offline", "rmia-online", "rmia-offline"])
def test_planted_leak_found(digits_audit, attack_id):
    assert_planted_leak_found(digits_audit, attack_id)


@pytest.mark.parametrize("attack_id", ["lira-online", "lira-offline", "rmia-online", "rmia-offline", "loss"])
def test_null_control_clean(digits_audit, attack_id):
    assert_null_clean(digits_audit, attack_id)
