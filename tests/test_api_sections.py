"""Extraction and property inference as sections of an audit config."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from leakpro.audit.runner import run_audit
from leakpro.config.errors import ConfigError
from leakpro.data.registry import builtin_datasets


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
    n, correct = prop["evaluation_models"], prop["correct"]
    assert n == 8 and prop["accuracy"]["value"] == correct / n
    # the interval is Clopper–Pearson on correct of n, recomputed here from the beta quantiles
    low = stats.beta.ppf(0.025, correct, n - correct + 1) if correct > 0 else 0.0
    high = stats.beta.ppf(0.975, correct + 1, n - correct) if correct < n else 1.0
    assert (prop["accuracy"]["low"], prop["accuracy"]["high"]) == pytest.approx((low, high), abs=1e-9)
    assert prop["better_than_chance"] == (low > 0.5)
    # the target's true fraction: sex=Female among the rows that trained it (the scores file's members)
    scores = pd.read_csv(tmp_path / result.targets[0].scores_file)
    frame = builtin_datasets()["adult"].load().frame
    assert frame is not None
    trained = scores.loc[scores["member"], "record"].to_numpy()
    assert trained.size == 600
    assert prop["target_fraction"] == pytest.approx(float((frame["sex"].iloc[trained] == "Female").mean()))
    assert 0.0 <= prop["target_p_t1"] <= 1.0


def test_sections_validated_up_front():
    cfg = _config(extraction={"attack": "knockof"}, property={"column": "gender", "value": "F"})
    with pytest.raises(ConfigError) as info:
        run_audit(cfg)
    text = str(info.value)
    assert "extraction.attack: unknown extraction attack" in text
    assert "property.column: not a column of the data" in text
    with pytest.raises(ConfigError, match=r"extraction\.params\.budgt"):
        run_audit(_config(extraction={"attack": "knockoff", "params": {"budgt": 5}}))
