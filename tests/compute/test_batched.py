"""The batched trainer gives the models the sequential path gives (same init, same batch order)."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.config.recipe import TorchRecipe
from leakpro.training.batched import can_batch, train_many
from leakpro.training.torch_train import torch_logits, train_torch

from .helpers import small_records

# Tolerance: both paths compute the same gradients and updates, but the batched step sums its matrix
# products in another order and runs torch's fused Adam (another rounding of the same update); after a few
# hundred steps such rounding stays below 1e-4 on logits of order 1 for these small models (measured with
# torch 2.13 on CPU: at most 4.8e-7 for Adam, bitwise equal for SGD). On larger models and many epochs the
# paths drift further apart (Adam divides by the root of tiny second moments; up to 0.09 over 16 Adult 108-256-256-2
# MLP after 2 epochs, benchmarks/audit.py), which is why batched models have their own cache key. A model
# trained with another seed differs by more than 1e-2 (checked below), so the test can fail.
ATOL = 1e-4


def _subsets(n: int, rng: np.random.Generator) -> list[np.ndarray]:
    half = rng.permutation(n)[: n // 2]
    rest = np.setdiff1d(np.arange(n), half)  # one more row: a second training-set size
    return [np.sort(half), rest, np.sort(rng.permutation(n)[: n // 2]), np.arange(n // 2)]


@pytest.mark.parametrize(("model", "params", "optimizer"), [
    ("mlp", {"hidden": [32, 16]}, "adam"),
    ("mlp", {"hidden": [24]}, "adamw"),
    ("mlp", {}, "sgd"),
    ("logistic", {}, "adam"),
])
def test_batched_equals_sequential(model: str, params: dict, optimizer: str) -> None:
    data = small_records(n=257, d=6)
    x, y = data.features, data.labels
    recipe = TorchRecipe(model=model, params=params, optimizer=optimizer, epochs=4, batch_size=16,
                         weight_decay=1e-3, lr=5e-3)  # type: ignore[arg-type]
    assert can_batch(recipe)
    subsets = _subsets(len(y), np.random.default_rng(1))
    seeds = [11, 12, 13, 14]
    batched = train_many(recipe, x, y, 2, subsets, seeds)
    sequential = [train_torch(recipe, x[s], y[s], 2, seed) for s, seed in zip(subsets, seeds, strict=True)]
    for b, s in zip(batched, sequential, strict=True):
        lb, ls = torch_logits(b, x), torch_logits(s, x)
        np.testing.assert_allclose(lb, ls, rtol=0, atol=ATOL)
    # the check is sensitive: another seed on the same subset gives a clearly different model
    other = train_torch(recipe, x[subsets[0]], y[subsets[0]], 2, 99)
    assert np.abs(torch_logits(other, x) - torch_logits(sequential[0], x)).max() > 100 * ATOL


def test_batched_is_independent_of_the_group() -> None:
    """A model's result does not depend on which other models it was trained with."""
    data = small_records(n=200)
    recipe = TorchRecipe(model="mlp", params={"hidden": [16]}, epochs=2, batch_size=32)
    subsets = _subsets(200, np.random.default_rng(2))
    together = train_many(recipe, data.features, data.labels, 2, subsets, [1, 2, 3, 4])
    alone = train_many(recipe, data.features, data.labels, 2, subsets[2:3], [3])
    np.testing.assert_array_equal(torch_logits(together[2], data.features), torch_logits(alone[0], data.features))


def test_unbatchable_recipes_fall_back_to_the_sequential_path() -> None:
    assert not can_batch(TorchRecipe(model="mlp", params={"hidden": [8], "dropout": 0.5}))
    data = small_records(n=120, d=8)
    # a user's own class (even the same MLP, named by path) is trained one model at a time
    recipe = TorchRecipe(model="leakpro.training.models:MLP", epochs=2, batch_size=16,
                         params={"in_features": 8, "n_classes": 2, "hidden": [8]})
    assert not can_batch(recipe)
    subsets, seeds = [np.arange(60), np.arange(60, 120)], [5, 6]
    models = train_many(recipe, data.features, data.labels, 2, subsets, seeds)
    for m, s, seed in zip(models, subsets, seeds, strict=True):
        ref = train_torch(recipe, data.features[s], data.labels[s], 2, seed)
        np.testing.assert_array_equal(torch_logits(m, data.features), torch_logits(ref, data.features))


def test_subsets_and_seeds_must_match() -> None:
    data = small_records(n=50)
    with pytest.raises(ValueError, match="2 subsets but 1 seeds"):
        train_many(TorchRecipe(), data.features, data.labels, 2, [np.arange(10), np.arange(10)], [0])
