"""Property inference with shadow models and a meta-classifier (Ganju et al., Property Inference Attacks on
Fully Connected Neural Networks using Permutation Invariant Representations, CCS 2018).

Threat model: the attacker wants a global property of the training set, e.g. "is the share of women 20% or
80%?". It holds auxiliary data from the same domain, labelled with the property, and knows the training
recipe. It trains shadow models on sets with property fraction t0 and t1 (half each), describes each model
by its outputs on a fixed query set (``black_box``: API access; summarised per property group by default)
or by its canonically sorted weights (``white_box``: the weights of an MLP), and fits a meta-classifier
(standardised logistic regression with fixed regularisation, never tuned on the target) that tells t0 from
t1. Variant: the sorted-neuron
representation (the paper's simpler baseline), not the DeepSets meta-network.

>>> from leakpro.attacks.property.ganju import PropertyInference
>>> PropertyInference(t0=0.2, t1=0.8).params.shadow_models
16
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.attacks.property.features import black_box_features, black_box_summary, sorted_weights
from leakpro.config.recipe import TorchRecipe
from leakpro.data.dataset import Dataset, Features, take
from leakpro.targets.protocol import Target
from leakpro.targets.trainers import TorchTrainer

DEFAULT_RECIPE = TorchRecipe.model_validate(
    {"model": "mlp", "params": {"hidden": [32]}, "lr": 1e-2, "epochs": 15, "batch_size": 128})


class PropertyParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    t0: float = Field(0.2, ge=0, le=1, description="property fraction of the first hypothesis")
    t1: float = Field(0.8, ge=0, le=1, description="property fraction of the second hypothesis")
    shadow_models: int = Field(16, ge=4, description="shadow models, half at t0 and half at t1")
    train_size: int = Field(1000, ge=20, description="training-set size of each shadow model")
    queries: int = Field(200, ge=2, description="size of the fixed query set (black box)")
    balanced_queries: bool = Field(True, description="half the queries with the property, half without "
                                   "(the attacker knows the property of its own rows)")
    access: Literal["black_box", "white_box"] = "black_box"
    representation: Literal["summary", "raw"] = Field(
        "summary", description="black box: per-group statistics of the outputs (summary) or every output (raw)")
    recipe: TorchRecipe = Field(DEFAULT_RECIPE, description="how the target was trained (the attacker knows it)")
    meta_c: float = Field(1.0, gt=0, description="inverse regularisation of the meta-classifier (fixed)")

    @model_validator(mode="after")
    def _distinct(self) -> PropertyParams:
        if self.t0 == self.t1:
            raise ValueError("t0 and t1 must differ")
        if self.shadow_models % 2:
            raise ValueError("shadow_models must be even (half at t0, half at t1)")
        return self


def sample_with_fraction(has_property: np.ndarray, size: int, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``size`` rows of which round(fraction·size) have the property (no replacement)."""
    pos, neg = np.flatnonzero(has_property), np.flatnonzero(~has_property)
    k = round(fraction * size)
    if k > pos.size or size - k > neg.size:
        raise ValueError(f"a training set of {size} rows at fraction {fraction} needs {k} rows with the property "
                         f"and {size - k} without; the data has {pos.size} and {neg.size}. Fix: lower train_size")
    idx = np.r_[rng.choice(pos, k, replace=False), rng.choice(neg, size - k, replace=False)]
    return rng.permutation(idx).astype(np.int64)


def train_at_fractions(data: Dataset, has_property: np.ndarray, params: PropertyParams, n: int, seed: int
                       ) -> tuple[list[Target], np.ndarray]:
    """``n`` models by ``params.recipe``, alternately at t0 and t1; returns them and their bits (1 = t1)."""
    if has_property.shape != (len(data),) or has_property.dtype != bool:
        raise ValueError("has_property must be a boolean mask with one entry per row of the data")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x9A0]))
    trainer = TorchTrainer(params.recipe, data.n_classes)
    bits = np.arange(n) % 2
    models = []
    for i, bit in enumerate(bits):
        idx = sample_with_fraction(has_property, params.train_size, params.t1 if bit else params.t0, rng)
        models.append(trainer.fit(take(data.features, idx), data.labels[idx], seed * 10_007 + i))
    return models, bits


class PropertyInference:
    """Attacker side: ``fit`` trains shadow models and the meta-classifier; ``predict_proba`` gives P(t1)."""

    name: ClassVar[str] = "property_inference"
    title: ClassVar[str] = "Property inference (shadow models + meta-classifier)"
    paper: ClassVar[str] = ("Ganju et al., Property Inference Attacks on Fully Connected Neural Networks "
                            "using Permutation Invariant Representations, CCS 2018")

    def __init__(self, *, random_state: int = 0, **params: Any) -> None:
        self.params = PropertyParams(**params)
        self.random_state = random_state

    def fit(self, aux: Dataset, has_property: np.ndarray) -> PropertyInference:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        p = self.params
        rng = np.random.default_rng(np.random.SeedSequence([self.random_state, 0x0E5]))
        n_q = min(p.queries, len(aux))
        q = (sample_with_fraction(has_property, n_q, 0.5, rng) if p.balanced_queries
             else rng.choice(len(aux), n_q, replace=False))
        self.queries_: Features = take(aux.features, q)
        self.query_groups_ = has_property[q]
        shadows, bits = train_at_fractions(aux, has_property, p, p.shadow_models, self.random_state)
        x = np.stack([self.describe_model(m) for m in shadows])
        self.meta_ = make_pipeline(StandardScaler(), LogisticRegression(C=p.meta_c, max_iter=5000)).fit(x, bits)
        return self

    def describe_model(self, target: Target) -> np.ndarray:
        """The meta-classifier's input for one model (outputs on the query set, or sorted weights)."""
        if self.params.access == "white_box":
            return sorted_weights(target)
        if self.params.representation == "summary":
            return black_box_summary(target, self.queries_, self.query_groups_)
        return black_box_features(target, self.queries_)

    def predict_proba(self, targets: Sequence[Target]) -> np.ndarray:
        """P(fraction = t1) for each target."""
        if not hasattr(self, "meta_"):
            raise RuntimeError("call fit(aux, has_property) before predict_proba")
        x = np.stack([self.describe_model(t) for t in targets])
        return np.asarray(self.meta_.predict_proba(x)[:, 1], dtype=np.float64)


register_card(AttackCard(
    family="property inference", name=PropertyInference.name, title=PropertyInference.title,
    paper=PropertyInference.paper,
    threat_model="black box (the API's outputs) or white box (weights); auxiliary data and the recipe",
    params=PropertyParams,
))
