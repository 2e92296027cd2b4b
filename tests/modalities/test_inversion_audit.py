"""Model inversion and attribute inference as audit sections: results.json, PNGs, report, config errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from leakpro.audit.runner import run_audit
from leakpro.cli.tables import inversion_lines
from leakpro.config.errors import ConfigError
from leakpro.report import render_report
from leakpro.results.types import AuditResult

from .audit_helpers import run_single_threaded

DIGITS: dict[str, Any] = {
    "seed": 1, "data": {"builtin": "digits", "split": {"candidates": 600, "population": 500}},
    "target": {"kind": "torch", "train": True,
               "recipe": {"model": "cnn", "params": {"width": 16, "hidden": 64}, "epochs": 30, "batch_size": 32,
                          "lr": 3e-3}},
    "attacks": ["loss"], "null_target": True, "inversion": {"params": {"steps": 200}},
}


@pytest.fixture(scope="module")
def digits_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditResult, Path]:
    out = tmp_path_factory.mktemp("inversion-audit")
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return run_audit(DIGITS, out=out), out
    finally:
        torch.set_num_threads(previous)


def _by_role(result: AuditResult) -> dict[str, Any]:
    return {r.target: r for r in result.inversion}


def test_trained_models_reveal_their_classes_untrained_control_does_not(digits_audit):
    result, out = digits_audit
    roles = _by_role(result)
    assert set(roles) == {"target", "null", "untrained"}
    target, untrained = roles["target"], roles["untrained"]
    assert target.evaluator_accuracy > 0.85
    assert target.attack_accuracy.low > 0.1 and target.classes_recovered >= 5, target.attack_accuracy
    assert untrained.attack_accuracy.low <= 0.1 + 0.05 and untrained.classes_recovered <= 3, untrained.attack_accuracy
    for r in result.inversion:
        assert r.png is not None and (out / r.png).stat().st_size > 0


def test_reconstructions_are_class_level_not_member_copies(digits_audit):
    """The null target (never saw the members) reconstructs its classes as well: what inversion reveals here is
    the class, and the reconstructions lie about as near equally many non-member images as the members."""
    roles = _by_role(digits_audit[0])
    target, null = roles["target"], roles["null"]
    assert null.attack_accuracy.high >= target.attack_accuracy.low
    assert target.nearest_non_member_distance is not None  # as near equally many non-members as the members
    assert abs(np.mean(target.nearest_private_distance) / np.mean(target.nearest_non_member_distance) - 1) < 0.1


def test_results_json_and_report_carry_the_section(digits_audit, tmp_path: Path):
    result, out = digits_audit
    saved = json.loads((out / "results.json").read_text())
    assert [r["target"] for r in saved["inversion"]] == [r.target for r in result.inversion]
    paths = render_report(out / "results.json", tmp_path, pdf=False)
    text = paths.html.read_text(encoding="utf-8")
    assert "Class inversion" in text and "Untrained model (control)" in text
    assert "Trained without the members (null target)" in text
    assert "results.json (inversion)" in text
    assert "cannot be told apart" not in text  # the null target was inverted too
    a = _by_role(result)["target"].attack_accuracy
    assert f"{100 * a.value:.2f}%" in text
    lines = inversion_lines(result)
    assert len(lines) == 3 and lines[0].startswith("class inversion · target: evaluation accuracy")


@pytest.fixture(scope="module")
def planted_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Random labels and a secret column s independent of everything: only memorisation can reveal s."""
    rng = np.random.default_rng(0)
    n = 2400
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n), "x3": rng.normal(size=n),
                          "s": 3 * rng.integers(0, 3, n), "y": rng.integers(0, 2, n)})
    path = tmp_path_factory.mktemp("planted") / "planted.csv"
    frame.to_csv(path, index=False)
    return path


def _planted_config(path: Path) -> dict[str, Any]:
    return {"seed": 0, "data": {"table": str(path), "label": "y", "split": {"candidates": 800, "population": 800}},
            "target": {"kind": "sklearn", "train": True, "estimator": "sklearn.neighbors:KNeighborsClassifier",
                       "params": {"n_neighbors": 1}},
            "attacks": ["loss"], "null_target": True,
            "attribute_inference": {"attributes": ["s"], "prior": "marginal"}}


def test_attribute_memorised_by_a_pipeline_is_found_and_null_is_clean(planted_table):
    """A 1-nearest-neighbour model memorises its members: filling in the true s recovers their label."""
    result = run_single_threaded(_planted_config(planted_table))
    by_role = {r.target: r for r in result.attribute_inference}
    target, null = by_role["target"], by_role["null"]
    assert target.leaks_beyond_imputation and target.members.low > 0.5, target.members
    assert target.baseline_members.low <= 1 / 3 <= target.baseline_members.high + 0.02
    assert not null.leaks_beyond_imputation and null.members.low <= 1 / 3 <= null.members.high
    lines = inversion_lines(result)
    assert "leaks beyond imputation" in lines[0] and "s:" in lines[0] and "leaks" not in lines[1]


def test_adult_one_hot_attribute_through_the_audit():
    cfg = {"seed": 0, "data": {"builtin": "adult", "split": {"candidates": 1000, "population": 2000}},
           "target": {"kind": "torch", "train": True,
                      "recipe": {"model": "mlp", "params": {"hidden": [64]}, "epochs": 10, "batch_size": 64}},
           "attacks": ["loss"], "attribute_inference": {"attributes": ["sex"], "records": 300}}
    result = run_single_threaded(cfg)
    [r] = result.attribute_inference
    assert r.candidates == ["Female", "Male"] and r.n_members == 300 and r.n_non_members == 300
    assert not r.leaks_beyond_imputation  # a small, barely fitted MLP: the attack is imputation
    assert r.baseline_members.value > 0.6  # sex is imputable from relationship, hours, occupation


def test_config_errors_name_the_field_and_the_fix(planted_table):
    cfg = _planted_config(planted_table)
    cfg["attribute_inference"] = {"attributes": ["s", "colour"], "prior": "marginal"}
    cfg["inversion"] = {"params": {"stepz": 3}}
    with pytest.raises(ConfigError) as err:
        run_single_threaded(cfg)
    text = str(err.value)
    assert "attribute_inference.attributes[1]" in text and "x1" in text  # names the columns to use
    assert "class inversion needs the model's weights" in text and "images (N, C, H, W)" in text
    assert "inversion.params.stepz" in text
    adult = {"seed": 0, "data": {"builtin": "adult", "split": {"candidates": 100, "population": 100}},
             "target": {"kind": "torch", "train": True, "recipe": {"model": "mlp"}}, "threat_model": "labels",
             "attacks": ["label_only_augmentation"], "attribute_inference": {"attributes": ["age"]}}
    with pytest.raises(ConfigError) as err:
        run_single_threaded(adult)
    text = str(err.value)
    assert "threat_model: scores" in text and "one-hot encoded" in text and "'marital_status'" in text


def test_untrained_control_left_out_when_a_layer_cannot_be_reset():
    from leakpro.audit.model_inversion import _untrained_copy

    class Scale(torch.nn.Module):  # a weight with no reset_parameters()
        def __init__(self) -> None:
            super().__init__()
            self.weight = torch.nn.Parameter(torch.randn(4))

    resettable = torch.nn.Sequential(torch.nn.Linear(4, 4))
    fresh = _untrained_copy(resettable, seed=0)
    assert fresh is not None and not torch.equal(fresh[0].weight, resettable[0].weight)
    assert _untrained_copy(torch.nn.Sequential(torch.nn.Linear(4, 4), Scale()), seed=0) is None


def test_sections_without_population_or_with_a_bad_box_are_refused_up_front():
    from leakpro.audit.model_inversion import check_inversion_sections
    from leakpro.config.errors import ConfigIssue
    from leakpro.config.schema import AuditConfig
    from leakpro.data.images import load_digits_dataset
    from leakpro.game.challenger import MembershipGame

    ds = load_digits_dataset().subset(np.arange(40))
    game = MembershipGame(ds, np.arange(40), np.arange(40) % 2 == 0, np.array([], dtype=np.int64))
    cfg = AuditConfig.model_validate({**DIGITS, "inversion": {"params": {"bounds": [1.0, 0.0]}},
                                      "attribute_inference": {"attributes": ["pixel"]}})
    issues: list[ConfigIssue] = []
    check_inversion_sections(cfg, ds, game, issues)
    text = "\n".join(str(i) for i in issues)
    assert "low < high" in text
    assert "inversion: needs population records" in text and "attribute_inference: needs population records" in text
