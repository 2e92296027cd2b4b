"""Extraction and property inference as sections of an audit config."""

from __future__ import annotations

import pytest

from leakpro.audit.runner import run_audit
from leakpro.config.errors import ConfigError


def _config(**extra: object) -> dict:
    return {
        "seed": 2,
        "data": {"builtin": "adult", "split": {"candidates": 1200, "population": 1200}},
        "target": {"kind": "torch", "train": True,
                   "recipe": {"model": "mlp", "params": {"hidden": [32]}, "epochs": 10, "batch_size": 64}},
        "attacks": ["loss"],
        **extra,
    }


def test_extraction_and_property_sections(tmp_path):
    cfg = _config(
        threat_model="labels", attacks=["label_only_augmentation"],
        extraction={"attack": "knockoff", "params": {"budget": 400, "checkpoints": [100, 400]}},
        property={"column": "sex", "value": "Female", "evaluation_models": 8,
                  "params": {"shadow_models": 8, "train_size": 300, "queries": 100}},
    )
    result = run_audit(cfg, out=tmp_path)
    curve = result.extraction["extraction"]["curve"]
    assert [p["queries"] for p in curve] == [100, 400]
    assert curve[-1]["fidelity"]["value"] > 0.8  # a label-only API still gives a close copy
    assert "surrogate" in result.extraction["surrogate_membership"]["summary"]
    prop = result.property_inference
    assert prop["evaluation_models"] == 8 and 0 <= prop["accuracy"]["value"] <= 1
    assert prop["target_fraction"] == pytest.approx(prop["target_fraction"])


def test_sections_validated_up_front():
    cfg = _config(extraction={"attack": "knockof"}, property={"column": "gender", "value": "F"})
    with pytest.raises(ConfigError) as info:
        run_audit(cfg)
    text = str(info.value)
    assert "extraction.attack: unknown extraction attack" in text
    assert "property.column: not a column of the data" in text
    with pytest.raises(ConfigError, match=r"extraction\.params\.budgt"):
        run_audit(_config(extraction={"attack": "knockoff", "params": {"budgt": 5}}))
