"""Tensor data from an .npz (scikit-learn's 8×8 digits images) with a PyTorch target from safetensors."""

from __future__ import annotations

import numpy as np
from safetensors.torch import save_file
from sklearn.datasets import load_digits

from helpers import write_config
from leakpro.audit.runner import run_audit
from leakpro.config.recipe import TorchRecipe
from leakpro.training.torch_train import train_torch


def test_npz_images_with_torch_target(tmp_path):
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]  # N×1×8×8 images
    y = digits.target
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(y))
    members = np.zeros(len(y), dtype=bool)
    members[perm[:600]] = True
    population = np.zeros(len(y), dtype=bool)
    population[perm[1200:]] = True
    np.savez(tmp_path / "digits.npz", x=x, y=y, members=members, public=population)
    recipe = TorchRecipe(model="mlp", params={"hidden": [128]}, epochs=60, batch_size=32, lr=3e-3)
    model = train_torch(recipe, x[members], y[members], 10, seed=0)
    save_file(model.state_dict(), tmp_path / "digits.safetensors")

    cfg = {"data": {"arrays": "digits.npz", "members": {"key": "members"}, "population": {"key": "public"}},
           "target": {"kind": "torch", "model": "mlp", "params": {"hidden": [128]},
                      "weights": "digits.safetensors", "recipe": recipe.model_dump(exclude={"kind"})},
           "attacks": ["loss", "population", {"lira": {"reference_models": 4, "mode": "offline"}}]}
    result = run_audit(write_config(tmp_path, cfg), out=tmp_path / "out")
    assert result.data.n_classes == 10
    assert (result.data.n_candidates, result.data.n_population) == (1200, len(y) - 1200)
    for attack in result.targets[0].attacks:
        assert attack.auc.low > 0.5, attack.auc
