"""Small architectures for federated simulations, addressable by name from a federated config.

Gradient inversion is studied on small networks (Zhu et al. 2019 use a LeNet with sigmoids; Geiping et al.
2020 a ConvNet with ReLUs). Three are registered here: ``cnn`` (a small ConvNet for 1×H×W images), ``mlp``
(a fully connected network for flattened images) and ``tabular_mlp`` (for encoded tabular rows). Every
model takes ``act`` = ``relu`` | ``sigmoid`` | ``tanh``: DLG's L-BFGS wants a twice-differentiable activation.

>>> model = build_federated_model("cnn", {"width": 8}, input_shape=(1, 28, 28), n_classes=10)
>>> model(torch.zeros(2, 1, 28, 28)).shape
torch.Size([2, 10])
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from leakpro.registry import Registry

ModelFactory = Callable[..., nn.Module]
_MODELS: Registry[ModelFactory] = Registry("federated model")
_ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def register_federated_model(name: str) -> Callable[[ModelFactory], ModelFactory]:
    """Register a factory ``(input_shape, n_classes, **params) -> nn.Module`` under ``name``."""

    return _MODELS.register(name)


def registered_federated_models() -> list[str]:
    return _MODELS.names()


def _activation(act: str) -> nn.Module:
    if act not in _ACTIVATIONS:
        raise ValueError(f"model.params.act: unknown activation {act!r}; fix: use one of {sorted(_ACTIVATIONS)}")
    return _ACTIVATIONS[act]()


@register_federated_model("cnn")
class SmallCNN(nn.Module):
    """Three 3×3 convolutions (the last two with stride 2) and a linear classifier."""

    def __init__(self, input_shape: Sequence[int], n_classes: int, width: int = 16, act: str = "relu") -> None:
        super().__init__()
        channels, height, width_px = (int(v) for v in input_shape)
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1), _activation(act),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), _activation(act),
            nn.Conv2d(2 * width, 2 * width, 3, stride=2, padding=1), _activation(act),
        )
        with torch.no_grad():
            flat = self.features(torch.zeros(1, channels, height, width_px)).numel()
        self.classifier = nn.Linear(flat, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


@register_federated_model("mlp")
class ImageMLP(nn.Module):
    """Fully connected network over the flattened input: in → hidden… → n_classes logits."""

    def __init__(
        self, input_shape: Sequence[int], n_classes: int, hidden: Sequence[int] = (128,), act: str = "relu"
    ) -> None:
        super().__init__()
        width = 1
        for v in input_shape:
            width *= int(v)
        layers: list[nn.Module] = []
        for h in hidden:
            layers += [nn.Linear(width, int(h)), _activation(act)]
            width = int(h)
        layers.append(nn.Linear(width, n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1))


@register_federated_model("tabular_mlp")
def tabular_mlp(
    input_shape: Sequence[int], n_classes: int, hidden: Sequence[int] = (64,), act: str = "relu"
) -> nn.Module:
    """An MLP for encoded tabular rows (numeric columns standardised, categorical ones one-hot)."""
    return ImageMLP(input_shape, n_classes, hidden=hidden, act=act)


def build_federated_model(
    name: str, params: dict[str, Any], *, input_shape: Sequence[int], n_classes: int, seed: int | None = None
) -> nn.Module:
    """Instantiate a registered model; ``seed`` fixes its initial weights (the round-0 global model)."""
    if name not in _MODELS:
        close = difflib.get_close_matches(name, _MODELS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"model.name: unknown model {name!r}{hint}; fix: use one of {registered_federated_models()}")
    if seed is not None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return _MODELS.get(name)(input_shape=tuple(input_shape), n_classes=n_classes, **params)
    return _MODELS.get(name)(input_shape=tuple(input_shape), n_classes=n_classes, **params)
