"""Knockoff-style extraction (Orekondy et al., Knockoff Nets, CVPR 2019), tabular variant.

Threat model: black-box API access (scores or labels only) with a query budget; the attacker holds public
inputs from the same domain (or synthesises them). Variant: the "random" sampling strategy (no adaptive
policy): the attacker queries ``budget`` inputs in a random order and distils a surrogate network on the
answers, with soft labels (the API's probabilities) when the API returns scores and hard labels otherwise.
A surrogate is trained on the first n answers at each checkpoint n, giving fidelity against queries.

>>> from leakpro.attacks.extraction.knockoff import KnockoffExtraction
>>> KnockoffExtraction(budget=500).params.query_source
'public'
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from leakpro.attacks.extraction.base import (
    ExtractionAttack,
    ExtractionParams,
    ExtractionRun,
    QuerySource,
    checkpoints_for,
    make_queries,
    register_extraction_attack,
)
from leakpro.attacks.extraction.surrogate import distil, numeric_queries
from leakpro.config.recipe import TorchRecipe
from leakpro.data.dataset import Features
from leakpro.game.view import QueryOracle, ThreatModel

DEFAULT_SURROGATE = TorchRecipe.model_validate(
    {"model": "mlp", "params": {"hidden": [64, 64]}, "lr": 3e-3, "epochs": 40, "batch_size": 64})


class KnockoffParams(ExtractionParams):
    budget: int = Field(2000, ge=2, description="records the attacker may query")
    query_source: QuerySource = Field("public", description="public: the attacker's pool (noisy copies beyond "
                                      "it); synthetic: Gaussians matching the pool's feature means/stds")
    soft_labels: bool = Field(True, description="train on the API's probabilities when it returns scores")
    surrogate: TorchRecipe = Field(DEFAULT_SURROGATE, description="the surrogate's architecture and optimiser")
    min_steps: int = Field(300, ge=1, description="at least this many optimiser steps per surrogate")

    @field_validator("surrogate")
    @classmethod
    def _plain_training(cls, recipe: TorchRecipe) -> TorchRecipe:
        if recipe.dp is not None or recipe.label_smoothing:
            raise ValueError("the surrogate is distilled without DP or label smoothing; remove surrogate.dp / "
                             "surrogate.label_smoothing")
        return recipe


@register_extraction_attack
class KnockoffExtraction(ExtractionAttack):
    name = "knockoff"
    title = "Knockoff surrogate extraction"
    paper = "Orekondy et al., Knockoff Nets: Stealing Functionality of Black-Box Models, CVPR 2019"
    Params = KnockoffParams

    def run(self, oracle: QueryOracle, pool: Features) -> ExtractionRun:
        p: KnockoffParams = self.params  # type: ignore[assignment]
        cps = checkpoints_for(p, p.budget)
        rng = np.random.default_rng(self.random_state)
        queries = make_queries(numeric_queries(pool), cps[-1], p.query_source, rng)
        before = oracle.queries
        soft = p.soft_labels and oracle.threat_model is ThreatModel.SCORES
        if soft:
            z = oracle.logits(queries)
            targets = np.exp(z - z.max(axis=1, keepdims=True))
            targets /= targets.sum(axis=1, keepdims=True)
        else:
            targets = np.eye(oracle.n_classes)[oracle.labels(queries)]
        surrogates = [(n, distil(p.surrogate, queries[:n], targets[:n], self.random_state + i, p.min_steps))
                      for i, n in enumerate(cps)]
        return ExtractionRun(surrogates, oracle.queries - before, {"soft_labels": soft, "checkpoints": cps})
