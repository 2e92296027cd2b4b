"""Registered PyTorch architectures, addressable by name from a config.

A user's own architecture is named ``package.module:Class``; it is imported, never unpickled. Importing a
named module runs its code, so a path read from a config file is checked at the config's edge first
(:func:`import_problem`): registered names and scikit-learn / XGBoost / LightGBM estimator classes are
allowed, anything else only with ``trust`` (``target.trust: true`` / ``--trust``, as for pickles).
Python callers of :func:`resolve_model` / :func:`build_model` name their own code and are not checked.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from leakpro.config.memory import is_memory_name, lookup
from leakpro.registry import Registry

ModelFactory = Callable[..., nn.Module]
_MODELS: Registry[ModelFactory] = Registry("model")


def register_model(name: str) -> Callable[[ModelFactory], ModelFactory]:
    return _MODELS.register(name)


def _import_builtin_models() -> None:
    import leakpro.training.cnn
    import leakpro.training.gnn
    import leakpro.training.ts_cnn  # noqa: F401  (register ``cnn``, ``gnn`` and ``ts_cnn``)


def registered_models() -> list[str]:
    _import_builtin_models()
    return _MODELS.names()


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


# Packages whose estimator classes a config may name without trust (importing them runs only their own code).
ESTIMATOR_PACKAGES = ("sklearn", "xgboost", "lightgbm")
# Estimator parameters that reach the file system (joblib caches load pickles): trusted configs only.
UNTRUSTED_ESTIMATOR_PARAMS = ("memory",)
_IMPORT_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z][A-Za-z0-9_]*$")
TRUST_FIX = ("use a registered model or a scikit-learn / XGBoost / LightGBM estimator class; to import your own "
             "code, set target.trust: true (or --trust) if you wrote or checked that module")


def is_import_path(name: str) -> bool:
    """Whether ``name`` would be imported (``package.module:Class``) rather than looked up in the registry."""
    return ":" in name


def allowed_estimator_class(name: str) -> type | None:
    """The class named by ``name`` if it is an estimator class defined in scikit-learn, XGBoost or LightGBM.

    Only modules of those packages are imported (never the module a path names outside them), and nothing
    is called: the attribute must be a class defined in the same package that subclasses sklearn's
    ``BaseEstimator``.

    >>> allowed_estimator_class("sklearn.tree:DecisionTreeClassifier").__name__
    'DecisionTreeClassifier'
    >>> allowed_estimator_class("os:system") is None
    True
    """
    if not _IMPORT_PATH.match(name):
        return None
    module_name, _, attr = name.partition(":")
    package = module_name.split(".")[0]
    if package not in ESTIMATOR_PACKAGES or importlib.util.find_spec(package) is None:
        return None
    try:
        module = importlib.import_module(module_name)
        from sklearn.base import BaseEstimator
    except ImportError:
        return None
    obj = inspect.getattr_static(module, attr, None)
    if not inspect.isclass(obj) or str(getattr(obj, "__module__", "")).split(".")[0] != package:
        return None
    return obj if issubclass(obj, BaseEstimator) else None


def import_problem(name: str, *, trust: bool) -> str | None:
    """Why ``name`` (from a config) may not be resolved, or None when it may: registered, an allowed
    estimator class, or any ``package.module:Class`` with ``trust``. Nothing outside the allowed
    packages is imported to decide."""
    _import_builtin_models()
    if name in _MODELS or not is_import_path(name):
        return None  # a registered name, or an unknown one (resolve_model reports it without importing)
    if not _IMPORT_PATH.match(name):
        return "not of the form 'package.module:Class'"
    if trust or allowed_estimator_class(name) is not None:
        return None
    module_name = name.partition(":")[0]
    if module_name.split(".")[0] in ESTIMATOR_PACKAGES:
        return f"not an estimator class of {module_name.split('.')[0]} (a subclass of sklearn's BaseEstimator)"
    return (f"importing {module_name!r} would run its code; a config may name only registered models and "
            "scikit-learn / XGBoost / LightGBM estimator classes without trust")


def resolve_model(name: str) -> ModelFactory:
    """A registered name, ``package.module:Class`` for a user's own module, or ``@name``: an architecture held in
    this Python session (:func:`architecture_of`, registered by :func:`leakpro.audit_model`)."""
    _import_builtin_models()
    if name in _MODELS:
        return _MODELS.get(name)
    if is_memory_name(name):
        held = lookup(name)
        if not callable(held):
            raise ValueError(f"no architecture is held under {name!r} in this Python session")
        return held
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


def unresettable_layers(module: nn.Module) -> list[str]:
    """Layers of ``module`` that hold parameters of their own but have no ``reset_parameters()``."""
    return [name or type(module).__name__ for name, sub in module.named_modules()
            if any(True for _ in sub.parameters(recurse=False))
            and not callable(getattr(sub, "reset_parameters", None))]


def architecture_of(module: nn.Module) -> ModelFactory:
    """A factory of fresh, untrained copies of ``module``: the same layers, every parameter re-initialised by its
    layer's own ``reset_parameters()`` (from torch's generator, which training seeds). Reference models of an
    in-memory target are built with it. Raises ValueError naming the layers that cannot be re-initialised.

    >>> net = nn.Sequential(nn.Linear(3, 2))
    >>> fresh = architecture_of(net)()
    >>> fresh is not net and fresh[0].weight.shape == net[0].weight.shape
    True
    """
    import copy

    missing = unresettable_layers(module)
    if missing:
        raise ValueError(f"layers {missing} have parameters but no reset_parameters(), so fresh copies of "
                         f"{type(module).__name__} cannot be made")
    template = copy.deepcopy(module).cpu()

    def fresh() -> nn.Module:
        model = copy.deepcopy(template)
        for sub in model.modules():
            reset = getattr(sub, "reset_parameters", None)
            if callable(reset) and any(True for _ in sub.parameters(recurse=False)):
                reset()
            running = getattr(sub, "reset_running_stats", None)
            if callable(running):  # batch-norm statistics are learned from the training data too
                running()
        return model.train()

    return fresh
