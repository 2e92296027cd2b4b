"""Surrogates an extraction attacker builds: a linear model solved from equations, or a network distilled
from the API's answers (soft labels when it returns scores, hard labels otherwise)."""

from __future__ import annotations

import math

import numpy as np

from leakpro.config.recipe import TorchRecipe
from leakpro.data.dataset import Features


def numeric_queries(features: Features) -> np.ndarray:
    """Features as a float32 (N, d) matrix; tables must be numeric (extraction synthesises inputs)."""
    import pandas as pd

    if isinstance(features, pd.DataFrame):
        bad = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
        if bad:
            raise ValueError(f"extraction needs numeric features; columns {bad[:5]} are not. "
                             "Fix: encode the table (one-hot / ordinal) before extracting")
        features = features.to_numpy(dtype=np.float32)
    x = np.asarray(features, dtype=np.float32)
    return x.reshape(x.shape[0], -1)


class LinearSurrogate:
    """A multinomial linear model: logits = [0, x·W + b] (class 0 is the reference class)."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, n_classes: int) -> None:
        self.weights, self.bias, self.n_classes = weights, bias, n_classes

    def logits(self, features: Features) -> np.ndarray:
        x = numeric_queries(features).astype(np.float64)
        rel = x @ self.weights + self.bias
        return np.concatenate([np.zeros((x.shape[0], 1)), rel], axis=1)

    def predict(self, features: Features) -> np.ndarray:
        return self.logits(features).argmax(axis=1).astype(np.int64)

    def describe(self) -> str:
        return f"linear surrogate ({self.weights.shape[0]} features, {self.n_classes} classes)"


def distil(recipe: TorchRecipe, x: np.ndarray, targets: np.ndarray, seed: int, min_steps: int = 300):  # type: ignore[no-untyped-def]
    """Train a fresh ``recipe`` model on soft targets (rows of class probabilities); a TorchTarget.

    Cross-entropy against the targets (one-hot rows give ordinary training on labels). At least
    ``min_steps`` optimiser steps, so a surrogate trained on few queries is not left underfit.
    """
    import torch

    from leakpro.targets.torch_target import TorchTarget
    from leakpro.training.models import build_model
    from leakpro.training.torch_train import make_optimizer, torch_threads

    n, c = targets.shape
    with torch_threads():
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        xt = torch.as_tensor(x, dtype=torch.float32)
        tt = torch.as_tensor(targets, dtype=torch.float32)
        model = build_model(recipe.model, recipe.params, x.shape[1], c)
        opt = make_optimizer(recipe, model)
        batch = min(recipe.batch_size, n)
        epochs = max(recipe.epochs, math.ceil(min_steps / math.ceil(n / batch)))
        model.train()
        for _ in range(epochs):
            perm = torch.randperm(n, generator=gen)
            for start in range(0, n, batch):
                idx = perm[start : start + batch]
                opt.zero_grad(set_to_none=True)
                loss = -(tt[idx] * torch.log_softmax(model(xt[idx]), dim=1)).sum(dim=1).mean()
                loss.backward()
                opt.step()
        model.eval()
    return TorchTarget(model, c, name="surrogate")
