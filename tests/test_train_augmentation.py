"""Training-time augmentation (``TorchRecipe.augment``): validated up front, deterministic, images only."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from leakpro.config.recipe import TorchRecipe
from leakpro.data.augment import augment_each, training_pool
from leakpro.data.images import load_digits_dataset
from leakpro.targets.trainers import TorchTrainer
from leakpro.training.batched import can_batch, train_many
from leakpro.training.torch_train import torch_logits, train_torch

CNN = {"model": "cnn", "params": {"width": 16, "hidden": 64}}


def _images(n: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 8, 8), dtype=np.float32), rng.integers(0, 3, n)


def _weights(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(u, v) for u, v in zip(a, b, strict=True))


def test_augment_each_known_answer_and_pool():
    x = np.arange(18, dtype=np.float32).reshape(2, 1, 3, 3)
    out = augment_each(x, ("identity", "hflip", "shift:1,0"), np.array([2, 1]))
    assert out[0, 0].tolist() == [[0, 0, 1], [0, 3, 4], [0, 6, 7]]
    assert out[1, 0, 0].tolist() == [11, 10, 9]
    assert np.array_equal(x, np.arange(18, dtype=np.float32).reshape(2, 1, 3, 3))  # input left as it was
    assert training_pool(("hflip", "identity", "hflip")) == ("identity", "hflip")


def test_same_seed_same_weights_and_augment_changes_them():
    x, y = _images()
    recipe = TorchRecipe(**CNN, epochs=2, batch_size=16, augment=("hflip", "shift:1,0"))
    first = _weights(train_torch(recipe, x, y, 3, seed=7))
    assert _same(first, _weights(train_torch(recipe, x, y, 3, seed=7)))
    assert not _same(first, _weights(train_torch(recipe, x, y, 3, seed=8)))
    plain = recipe.model_copy(update={"augment": ()})
    assert not _same(first, _weights(train_torch(plain, x, y, 3, seed=7)))


def test_unknown_augmentation_named_with_the_allowed_ones():
    with pytest.raises(ValidationError, match=r"unknown augmentation\(s\) \['rotate:5', 'shift:1'\].*'hflip'") as exc:
        TorchRecipe(**CNN, augment=("hflip", "rotate:5", "shift:1"))
    assert exc.value.errors()[0]["loc"] == ("augment",)


def test_augment_with_dp_rejected():
    with pytest.raises(ValidationError, match="not supported with dp"):
        TorchRecipe(**CNN, augment=("hflip",), dp={"noise_multiplier": 1.0})


def test_augment_needs_image_features():
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 64), dtype=np.float32), rng.integers(0, 2, 32)
    recipe = TorchRecipe(model="mlp", params={"hidden": [8]}, epochs=1, augment=("hflip",))
    with pytest.raises(ValueError, match=r"needs image features \(N, C, H, W\), got shape \(32, 64\)"):
        train_torch(recipe, x, y, 2, seed=0)


def test_cache_key_changes_with_augment_only():
    plain = TorchRecipe(**CNN)
    assert "augment" not in plain.model_dump()  # recipes without it keep their cache keys
    augmented = TorchRecipe(**CNN, augment=("hflip",))
    assert TorchTrainer(plain, 10).key() != TorchTrainer(augmented, 10).key()
    assert TorchTrainer(augmented, 10).key() == TorchTrainer(TorchRecipe(**CNN, augment=["hflip"]), 10).key()


def test_augmented_cnn_still_learns_digits():
    ds = load_digits_dataset()
    x, y = ds.features[:300], ds.labels[:300]
    recipe = TorchRecipe(**CNN, epochs=15, batch_size=32, lr=3e-3, augment=("shift:1,0", "shift:-1,0"))
    model = train_torch(recipe, x, y, 10, seed=0)
    accuracy = float((torch_logits(model, x).argmax(1) == y).mean())
    assert accuracy > 0.9, f"train accuracy {accuracy:.3f}"


def test_batched_training_falls_back_to_sequential():
    x, y = _images(40)
    recipe = TorchRecipe(model="mlp", params={"hidden": [8]}, epochs=2, batch_size=8, augment=("hflip",))
    assert can_batch(recipe.model_copy(update={"augment": ()})) and not can_batch(recipe)
    subsets, seeds = [np.arange(20), np.arange(20, 40)], [1, 2]
    batched = train_many(recipe, x, y, 3, subsets, seeds)
    for model, idx, seed in zip(batched, subsets, seeds, strict=True):
        assert _same(_weights(model), _weights(train_torch(recipe, x[idx], y[idx], 3, seed)))
