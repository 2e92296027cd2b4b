"""Attribute inference: a planted memorised attribute is found beyond imputation; a model that ignores it is not."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from leakpro.attacks.inversion.attribute_inference import AttributeInference, attribute_inference_audit
from leakpro.commands.inversion_demo import run_attribute_inference
from leakpro.data.tabular import CategoricalColumn, TabularSchema

SCHEMA = TabularSchema(numeric=("id",), categorical=(CategoricalColumn("secret", 1, 4, ("a", "b", "c")),))


def _records(rng: np.random.Generator, n: int, offset: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = offset + np.arange(n, dtype=np.float64)
    secret = rng.integers(0, 3, n)  # independent of every other column: imputation can only guess the prior
    x = np.zeros((n, 4), dtype=np.float32)
    x[:, 0], x[np.arange(n), 1 + secret] = ids, 1.0
    return x, rng.integers(0, 2, n), secret


def _planted(memorised: dict[float, int], labels: dict[float, int]):
    """A 'model' that memorised members: confident in the true label only with the true secret filled in."""
    def logits(x: np.ndarray) -> np.ndarray:
        out = np.zeros((x.shape[0], 2))
        for i, row in enumerate(x):
            key = float(row[0])
            if key in memorised and int(row[1:].argmax()) == memorised[key]:
                out[i, labels[key]] = 5.0
        return out
    return logits


@pytest.fixture(scope="module")
def synthetic() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    data = {}
    for group, offset, n in (("members", 0.0, 300), ("non_members", 1e4, 300), ("population", 2e4, 600)):
        x, y, _ = _records(rng, n, offset)
        data[f"{group}_x"], data[f"{group}_y"] = x, y
    return data


def test_planted_memorised_attribute_found_beyond_imputation(synthetic):
    x, y = synthetic["members_x"], synthetic["members_y"]
    labels = {float(r[0]): int(v) for r, v in zip(x, y, strict=True)}
    logits = _planted({float(r[0]): int(r[1:].argmax()) for r in x}, labels)
    result = attribute_inference_audit(logits, SCHEMA, synthetic, "secret", seed=0, prior="marginal")
    assert result.members.value == 1.0
    assert result.baseline_members.high < 0.5 and result.non_members.high < 0.5  # chance is 1/3
    assert result.leaks_beyond_imputation and result.lift_members > 0.4 and abs(result.lift_non_members) < 0.15
    # the learned attacker only sees non-members (where this model carries no signal): it cannot exploit it
    assert result.learned_members.low <= 1 / 3 + 0.1 and result.learned_members.value < result.members.value


def test_model_ignoring_the_attribute_is_no_better_than_imputation(synthetic):
    def logits(x: np.ndarray) -> np.ndarray:
        return np.c_[np.zeros(len(x)), x[:, 0] % 2]

    result = attribute_inference_audit(logits, SCHEMA, synthetic, "secret", seed=0)
    assert not result.leaks_beyond_imputation
    assert result.members.low <= 1 / 3 <= result.members.high


def test_unknown_attribute_rejected(synthetic):
    with pytest.raises(ValueError, match="not a categorical column"):
        AttributeInference(attribute="age").run(lambda x: np.zeros((len(x), 2)), synthetic["members_x"],
                                                synthetic["members_y"], SCHEMA, synthetic["population_x"],
                                                synthetic["population_y"])


def test_adult_overfit_mlp_sex_is_imputation_not_leakage():
    torch.set_num_threads(1)
    results = run_attribute_inference(seed=0, n=1000, attributes=("sex",), epochs=40)
    target, null = results["target"][0], results["null"][0]
    for r in (target, null):  # the attack lands inside the imputation baseline's interval: no leak claimed
        assert not r.leaks_beyond_imputation
        assert r.baseline_members.low <= r.members.value <= r.baseline_members.high + 0.02
        assert r.learned_members.value <= r.baseline_members.high + 0.02
    assert target.members.value - target.non_members.value > null.members.value - null.non_members.value
