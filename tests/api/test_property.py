"""Property inference (Ganju et al. 2018) on Adult: is the share of women 20% or 80%?

Planted case: models trained at 20% vs 80% women are told apart (Clopper–Pearson interval above 0.5),
including an audited target reached only through the HTTP API. Null control: a "property" drawn at random,
unrelated to the data, must not be inferred (interval contains 0.5)."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.attacks.property import PropertyInference, evaluate_property_inference
from leakpro.attacks.property.ganju import PropertyParams, train_at_fractions
from leakpro.data.registry import builtin_datasets
from leakpro.serve import ModelServer
from leakpro.targets.http_target import HttpTarget, HttpTargetSpec

# The demo target's recipe (the attacker knows it): a small MLP, lightly trained.
RECIPE = {"model": "mlp", "params": {"hidden": [32]}, "lr": 1e-3, "epochs": 10, "batch_size": 64}
SETTINGS = {"t0": 0.2, "t1": 0.8, "shadow_models": 16, "train_size": 500, "queries": 100, "recipe": RECIPE}


@pytest.fixture(scope="module")
def adult_women():
    ds = builtin_datasets()["adult"].load()
    women = (ds.frame["sex"].astype(str).str.strip() == "Female").to_numpy()
    idx = np.random.default_rng(0).permutation(len(ds))
    aux, private = idx[:16000], idx[16000:32000]  # the attacker's data, the challenger's data
    return ds.subset(aux), women[aux], ds.subset(private), women[private]


def test_black_box_property_inference_through_the_api(adult_women):
    aux, aux_women, private, private_women = adult_women
    attack = PropertyInference(random_state=1, **SETTINGS).fit(aux, aux_women)
    at_80 = PropertyParams(**{**SETTINGS, "t0": 0.8, "t1": 0.2})  # one model at t0 = 80% women
    [target], _ = train_at_fractions(private, private_women, at_80, 1, seed=7)
    with ModelServer(target, port=0) as server:
        api = HttpTarget(HttpTargetSpec(url=server.url, budget=SETTINGS["queries"]), 2)
        result = evaluate_property_inference(attack, private, private_women, property_name="women",
                                             evaluation_models=24, target=api, target_fraction=0.8, seed=101)
        assert api.spent == SETTINGS["queries"]  # the fixed query set, nothing more
    assert result.accuracy.method == "clopper-pearson"
    assert result.accuracy.low > 0.5 and result.better_than_chance, result.summary
    assert result.target_p_t1 is not None and result.target_p_t1 > 0.5  # the 80%-women target is caught
    assert "better than guessing" in result.summary


def test_white_box_sorted_weights(adult_women):
    aux, aux_women, private, private_women = adult_women
    attack = PropertyInference(random_state=1, access="white_box", **SETTINGS).fit(aux, aux_women)
    result = evaluate_property_inference(attack, private, private_women, property_name="women",
                                         evaluation_models=24, seed=101)
    assert result.queries == 0 and result.accuracy.value >= 0.6, result.summary


def test_null_property_is_not_inferred(adult_women):
    aux, _, private, _ = adult_women
    rng = np.random.default_rng(5)
    fake_aux, fake_private = rng.random(len(aux)) < 0.4, rng.random(len(private)) < 0.4  # unrelated to the data
    attack = PropertyInference(random_state=1, **SETTINGS).fit(aux, fake_aux)
    result = evaluate_property_inference(attack, private, fake_private, property_name="random",
                                         evaluation_models=24, seed=101)
    assert result.accuracy.low <= 0.5 <= result.accuracy.high and not result.better_than_chance, result.summary


def test_property_settings_are_validated():
    with pytest.raises(ValueError, match="t0 and t1 must differ"):
        PropertyInference(t0=0.5, t1=0.5)
    with pytest.raises(ValueError, match=r"Extra inputs"):
        PropertyInference(shadows=3)
