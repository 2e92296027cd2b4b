"""Picklable job functions and a small reference-bank setup shared by the compute tests."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from leakpro.config.recipe import TorchRecipe
from leakpro.data.dataset import Dataset
from leakpro.targets.trainers import TorchTrainer


def affine(offset: int, x: int) -> int:
    return offset + x * x


def leakpro_source(_shared: object, _job: object) -> str:
    """Where the worker imported leakpro from."""
    import leakpro

    return str(Path(leakpro.__file__).resolve())


def fail_on_three(offset: int, x: int) -> int:
    if x == 3:
        raise ValueError("job 3 fails")
    return offset + x


def die_once(marker_dir: str, x: int) -> int:
    """Kill the worker process the first time job 2 runs (as the OOM killer would), succeed after."""
    marker = Path(marker_dir) / f"died-{x}"
    if x == 2 and not marker.exists():
        marker.write_text("x")
        os._exit(1)
    return x * 10


def small_records(n: int = 301, d: int = 8, seed: int = 0) -> Dataset:
    """A learnable two-class table: n rows (an odd number of candidates makes two training-set sizes)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] + 0.5 * rng.normal(size=n) > 0).astype(np.int64)
    return Dataset("toy", x, y, ("no", "yes"))


def small_trainer(model: str = "mlp", optimizer: str = "adam", **params: object) -> TorchTrainer:
    recipe = TorchRecipe(model=model, params=dict(params) or ({"hidden": [16, 8]} if model == "mlp" else {}),
                         optimizer=optimizer, epochs=3, batch_size=32, weight_decay=1e-3)  # type: ignore[arg-type]
    return TorchTrainer(recipe, n_classes=2)


class FailingTrainer(TorchTrainer):
    """Raises when asked to train with one seed (a crashed job); otherwise a plain TorchTrainer."""

    def __init__(self, base: TorchTrainer, bad_seed: int) -> None:
        super().__init__(base.recipe, base.n_classes)
        self.bad_seed = bad_seed

    def fit(self, features, labels, seed):  # type: ignore[no-untyped-def]
        if seed == self.bad_seed:
            raise RuntimeError(f"training crashed for seed {seed}")
        return super().fit(features, labels, seed)
