"""The stacked step (no autograd) computes each model's own gradients and optimiser update."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from leakpro.audit.reference_bank import ReferenceBank
from leakpro.config.recipe import TorchRecipe
from leakpro.training.stacked import FlatParams, StackedMLP, flat_optimizer
from leakpro.training.torch_train import make_optimizer

from .helpers import small_records, small_trainer

K, B, WIDTHS = 3, 20, [7, 16, 8, 3]


def _stack(seed: int) -> tuple[list[nn.Sequential], StackedMLP]:
    torch.manual_seed(seed)
    models = []
    for _ in range(K):
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(itertools.pairwise(WIDTHS)):
            layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(WIDTHS) - 2 else [])
        models.append(nn.Sequential(*layers))
    linears = [[m for m in model if isinstance(m, nn.Linear)] for model in models]
    params = FlatParams(
        [torch.stack([ls[j].weight.detach() for ls in linears]) for j in range(3)],
        [torch.stack([ls[j].bias.detach() for ls in linears]) for j in range(3)],
    )
    return models, StackedMLP(params)


def _batch(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(K, B, WIDTHS[0], generator=g), torch.randint(0, WIDTHS[-1], (K, B), generator=g)


def test_gradients_equal_each_models_autograd_gradients() -> None:
    models, net = _stack(0)
    xb, yb = _batch(1)
    net.backward(xb, yb)
    for i, model in enumerate(models):
        F.cross_entropy(model(xb[i]), yb[i]).backward()  # the obviously correct path, one model at a time
        linears = [m for m in model if isinstance(m, nn.Linear)]
        for j, linear in enumerate(linears):
            assert linear.weight.grad is not None and linear.bias.grad is not None
            torch.testing.assert_close(net.grads.weights[j][i], linear.weight.grad, rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(net.grads.biases[j][i, 0], linear.bias.grad, rtol=1e-5, atol=1e-6)
    # the comparison can fail: other labels give other gradients
    net.backward(xb, (yb + 1) % WIDTHS[-1])
    assert not torch.allclose(
        net.grads.weights[-1][0], [m for m in models[0] if isinstance(m, nn.Linear)][-1].weight.grad, atol=1e-3
    )


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
def test_one_flat_optimizer_makes_each_models_own_update(optimizer: str) -> None:
    """Three steps over the flat stack equal three steps of each model's own optimiser, bit for bit."""
    recipe = TorchRecipe(optimizer=optimizer, lr=1e-2, weight_decay=1e-2)  # type: ignore[arg-type]
    models, net = _stack(2)
    opt = flat_optimizer(recipe, net)
    own = [make_optimizer(recipe, m, fused=optimizer != "sgd") for m in models]
    for step in range(3):
        xb, yb = _batch(10 + step)
        net.backward(xb, yb)
        opt.step()
        for i, (model, o) in enumerate(zip(models, own, strict=True)):
            linears = [m for m in model if isinstance(m, nn.Linear)]
            for j, linear in enumerate(linears):  # each model's gradient as the stack computed it
                linear.weight.grad = net.grads.weights[j][i].clone()
                linear.bias.grad = net.grads.biases[j][i, 0].clone()
            o.step()
    for i, model in enumerate(models):
        linears = [m for m in model if isinstance(m, nn.Linear)]
        for j, linear in enumerate(linears):
            assert torch.equal(net.params.weights[j][i], linear.weight.detach())
            assert torch.equal(net.params.biases[j][i, 0], linear.bias.detach())


def test_batched_models_have_their_own_cache_key(tmp_path: Path) -> None:
    """Batched models' numbers differ from the sequential path's in the last bits: never the same entry."""

    def key(batched: bool, trainer: object = None) -> str:
        bank = ReferenceBank(
            small_records(), 201, trainer or small_trainer(), seed=3, cache_dir=tmp_path, batched=batched
        )  # type: ignore[arg-type]
        return bank._key(bank._masks(2)[0], 3000)

    assert key(True) != key(False)
    from sklearn.linear_model import LogisticRegression

    from leakpro.targets.trainers import SklearnTrainer

    trees = SklearnTrainer(LogisticRegression(), n_classes=2)  # nothing to batch: the setting changes nothing
    assert key(True, trees) == key(False, trees)
