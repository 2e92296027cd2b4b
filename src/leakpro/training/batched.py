"""Train many small torch models at once by stacking their parameters (batched matrix products).

Reference-model attacks (LiRA, RMIA, Shokri) need many copies of one small architecture, each trained on
its own subset with its own seed. For the registered ``mlp`` and ``logistic`` models this module trains
k of them together: layer l of all k models is one ``(k, out, in)`` weight tensor and one forward pass
is a chain of ``baddbmm``. Measured on two CPU cores, 16 Adult MLPs train several times faster this way
than one after another (``benchmarks/reference_training.py``).

Why one optimizer is k optimizers. The loss is the sum over models of each model's mean batch loss, so
the gradient for model i's slice of a stacked tensor is exactly the gradient of model i's own loss (the
other terms do not depend on it). Adam, AdamW and SGD (with momentum and weight decay) update every
parameter element from that element's gradient and state only, with one shared step count; so one
optimizer over the stacked tensors makes the same updates as k independent optimizers, provided every
model takes the same number of steps with the same batch sizes. Models are therefore grouped by
training-set size (paired halves of an odd number of candidates give two sizes); each model keeps its
own seed for the initial weights (``torch.manual_seed(seed)`` then the model constructor, as in
:func:`~leakpro.training.torch_train.train_torch`) and for its batch order (a ``torch.Generator``
seeded with ``seed``, one ``randperm`` per epoch). The result equals the sequential path up to float32
rounding (batched and single matrix products sum in different orders, and Adam/AdamW run torch's fused
kernel); ``tests/compute`` checks it. The step itself, without autograd and into reused buffers, is
:mod:`leakpro.training.stacked`; ``benchmarks/audit.py`` reports its FLOP/s against the CPU's matmul peak.

Architectures this cannot batch (a user's ``package.module:Class``, unknown recipe settings) fall back
to the sequential path, one model after another.

Example::

    import numpy as np
    from leakpro.training.batched import train_many
    from leakpro.config.recipe import TorchRecipe

    x = np.random.default_rng(0).normal(size=(200, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    recipe = TorchRecipe(model="mlp", params={"hidden": [16]}, epochs=2, batch_size=32)
    models = train_many(recipe, x, y, 2, [np.arange(100), np.arange(100, 200)], seeds=[1, 2])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from leakpro.config.recipe import TorchRecipe
from leakpro.training.models import MLP, Logistic, build_model
from leakpro.training.stacked import FlatParams, StackedMLP, flat_optimizer
from leakpro.training.torch_train import torch_threads, train_torch

# Recipe fields the batched loop implements; any other field (added later, e.g. a defence) must be at its
# default, or the recipe is trained sequentially.
_HANDLED_FIELDS = {"kind", "model", "params", "optimizer", "lr", "epochs", "batch_size", "weight_decay", "momentum"}
_BATCHABLE_PARAMS = {"mlp": {"hidden", "in_features", "n_classes"}, "logistic": {"in_features", "n_classes"}}


def can_batch(recipe: TorchRecipe) -> bool:
    """True for the registered ``mlp`` / ``logistic`` models with settings the batched loop implements."""
    if recipe.model not in _BATCHABLE_PARAMS or not set(recipe.params) <= _BATCHABLE_PARAMS[recipe.model]:
        return False
    fields = type(recipe).model_fields
    return all(
        getattr(recipe, name) == info.get_default(call_default_factory=True)
        for name, info in fields.items()
        if name not in _HANDLED_FIELDS
    )


def train_many(
    recipe: TorchRecipe,
    features: np.ndarray,
    labels: np.ndarray,
    n_classes: int,
    subsets: Sequence[np.ndarray],
    seeds: Sequence[int],
) -> list[nn.Module]:
    """Train one model per (subset of rows, seed); batched where :func:`can_batch`, else one by one.

    Returns the models in eval mode, in the order of ``subsets``.
    """
    if len(subsets) != len(seeds):
        raise ValueError(f"{len(subsets)} subsets but {len(seeds)} seeds")
    if not can_batch(recipe):
        return [train_torch(recipe, features[idx], labels[idx], n_classes, seed) for idx, seed in zip(
            subsets, seeds, strict=True)]
    models: list[nn.Module | None] = [None] * len(subsets)
    by_size: dict[int, list[int]] = {}
    for i, idx in enumerate(subsets):
        by_size.setdefault(len(idx), []).append(i)
    x = torch.as_tensor(np.ascontiguousarray(features), dtype=torch.float32).flatten(1)
    y = torch.as_tensor(labels, dtype=torch.long)
    for group in by_size.values():
        rows = torch.as_tensor(np.stack([np.asarray(subsets[i], dtype=np.int64) for i in group]))
        with torch_threads():
            trained = _train_group(recipe, x, y, n_classes, rows, [seeds[i] for i in group])
        for i, model in zip(group, trained, strict=True):
            models[i] = model
    return [m for m in models if m is not None]


def _linears(model: nn.Module) -> list[nn.Linear]:
    if type(model) is MLP:
        return [m for m in model.net if isinstance(m, nn.Linear)]
    if type(model) is Logistic:
        return [model.linear]
    raise TypeError(f"cannot batch a {type(model).__name__}")


def _train_group(
    recipe: TorchRecipe, x: torch.Tensor, y: torch.Tensor, n_classes: int, rows: torch.Tensor, seeds: list[int]
) -> list[nn.Module]:
    """Train k models of one training-set size together; ``rows[i]`` are model i's rows of ``x``."""
    k, n = rows.shape
    gens, models = [], []
    for seed in seeds:  # same seeding as the sequential path: a batch-order generator, then the init
        gens.append(torch.Generator().manual_seed(seed))
        torch.manual_seed(seed)
        models.append(build_model(recipe.model, recipe.params, x.shape[1], n_classes))
    layers = [_linears(m) for m in models]
    depth = len(layers[0])
    params = FlatParams([torch.stack([ls[j].weight.detach() for ls in layers]) for j in range(depth)],
                        [torch.stack([ls[j].bias.detach() for ls in layers]) for j in range(depth)])
    net = StackedMLP(params)
    opt = flat_optimizer(recipe, net)
    bs = min(recipe.batch_size, n)
    xbuf, ybuf = torch.empty(k * bs, x.shape[1]), torch.empty(k * bs, dtype=y.dtype)
    for _ in range(recipe.epochs):
        perms = torch.stack([torch.randperm(n, generator=g) for g in gens])  # (k, n)
        order = torch.gather(rows, 1, perms)  # (k, n) rows of x in this epoch's order, per model
        for start in range(0, n, bs):
            # each batch gathered into the same buffers (index_select: several times faster than x[idx], and
            # the rows are still in cache when the first layer reads them)
            idx = order[:, start : start + bs].reshape(-1)
            b = idx.numel() // k
            xb = torch.index_select(x, 0, idx, out=xbuf[: idx.numel()]).view(k, b, -1)
            yb = torch.index_select(y, 0, idx, out=ybuf[: idx.numel()]).view(k, b)
            net.backward(xb, yb)
            opt.step()
    with torch.no_grad():
        for i, ls in enumerate(layers):
            for j, linear in enumerate(ls):
                linear.weight.copy_(params.weights[j][i])
                linear.bias.copy_(params.biases[j][i, 0])
    return [m.eval() for m in models]
