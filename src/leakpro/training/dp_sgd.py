"""DP-SGD training through Opacus (Abadi et al. 2016): per-sample clipping, Gaussian noise, Poisson
sampling, and the RDP accountant's ε recorded on the trained module as ``privacy_spent``."""

from __future__ import annotations

import warnings

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from leakpro.config.recipe import TorchRecipe


def train_dp(recipe: TorchRecipe, model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor,
             y: torch.Tensor, loss_fn: nn.Module) -> nn.Module:
    """Train ``model`` with DP-SGD per ``recipe.dp``; return the plain module (Opacus wrapper removed)."""
    from opacus import PrivacyEngine

    dp = recipe.dp
    assert dp is not None
    loader = DataLoader(TensorDataset(x, y), batch_size=recipe.batch_size, shuffle=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Opacus warns about secure RNG and full backward hooks
        engine = PrivacyEngine(accountant="rdp")
        if dp.target_epsilon is not None:
            private, opt, private_loader = engine.make_private_with_epsilon(
                module=model, optimizer=optimizer, data_loader=loader, target_epsilon=dp.target_epsilon,
                target_delta=dp.delta, epochs=recipe.epochs, max_grad_norm=dp.max_grad_norm,
            )
        else:
            private, opt, private_loader = engine.make_private(
                module=model, optimizer=optimizer, data_loader=loader, noise_multiplier=dp.noise_multiplier,
                max_grad_norm=dp.max_grad_norm,
            )
        private.train()
        for _ in range(recipe.epochs):
            for xb, yb in private_loader:
                if len(xb) == 0:
                    continue
                opt.zero_grad(set_to_none=True)
                loss_fn(private(xb), yb).backward()
                opt.step()
        epsilon = float(engine.get_epsilon(dp.delta))
    module: nn.Module = private._module
    module.privacy_spent = {"epsilon": epsilon, "delta": dp.delta,  # type: ignore[assignment]
                            "noise_multiplier": float(opt.noise_multiplier), "max_grad_norm": dp.max_grad_norm}
    return module.eval()
