"""Registered PyTorch architectures, addressable by name from a config.

A user's own architecture is named ``package.module:Class``; it is imported, never unpickled.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

ModelFactory = Callable[..., nn.Module]
_MODELS: dict[str, ModelFactory] = {}


def register_model(name: str) -> Callable[[ModelFactory], ModelFactory]:
    def deco(factory: ModelFactory) -> ModelFactory:
        if name in _MODELS:
            raise ValueError(f"model {name!r} is registered twice")
        _MODELS[name] = factory
        return factory

    return deco


def _import_builtin_models() -> None:
    import leakpro.training.cnn
    import leakpro.training.gnn
    import leakpro.training.ts_cnn  # noqa: F401  (register ``cnn``, ``gnn`` and ``ts_cnn``)


def registered_models() -> list[str]:
    _import_builtin_models()
    return sorted(_MODELS)


@register_model("mlp")
class MLP(nn.Module):
    """Fully connected ReLU network for tabular/flat features: in → hidden… → n_classes logits."""

    def __init__(
        self, in_features: int, n_classes: int, hidden: Sequence[int] = (256, 256), dropout: float = 0.0
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_features
        for h in hidden:
            layers += [nn.Linear(width, int(h)), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = int(h)
        layers.append(nn.Linear(width, n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1))


@register_model("logistic")
class Logistic(nn.Module):
    """Multinomial logistic regression (one linear layer)."""

    def __init__(self, in_features: int, n_classes: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.flatten(1))


def resolve_model(name: str) -> ModelFactory:
    """A registered name, or ``package.module:Class`` for a user's own module."""
    _import_builtin_models()
    if name in _MODELS:
        return _MODELS[name]
    if ":" in name:
        module_name, _, attr = name.partition(":")
        module = importlib.import_module(module_name)
        factory = getattr(module, attr, None)
        if factory is None:
            raise ValueError(f"module {module_name!r} has no attribute {attr!r}")
        return factory
    raise ValueError(
        f"unknown model {name!r}: use one of {registered_models()} or a 'package.module:Class' path"
    )


def build_model(name: str, params: dict[str, Any], in_features: int, n_classes: int) -> nn.Module:
    """Instantiate a model; registered models get ``in_features``/``n_classes`` from the data."""
    factory = resolve_model(name)
    kwargs = dict(params)
    if name in _MODELS:
        kwargs.setdefault("in_features", in_features)
        kwargs.setdefault("n_classes", n_classes)
    model = factory(**kwargs)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model {name!r} built a {type(model).__name__}, not a torch.nn.Module")
    return model
