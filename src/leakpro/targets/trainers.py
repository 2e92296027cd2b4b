"""Trainers turn a recipe into fresh targets: the same recipe as the audited model, another subset."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

import numpy as np

from leakpro.config.memory import is_memory_name
from leakpro.config.recipe import TorchRecipe
from leakpro.data.dataset import Features
from leakpro.targets.protocol import Target


class Trainer(Protocol):
    """Trains a model like the target on given records."""

    def fit(self, features: Features, labels: np.ndarray, seed: int) -> Target: ...

    def key(self) -> str:
        """A stable description of the recipe, part of every cache key."""
        ...


class TorchTrainer:
    def __init__(self, recipe: TorchRecipe, n_classes: int) -> None:
        self.recipe = recipe
        self.n_classes = n_classes

    def fit(self, features: Features, labels: np.ndarray, seed: int) -> Target:
        from leakpro.targets.torch_target import TorchTarget
        from leakpro.training.torch_train import train_torch

        if not isinstance(features, np.ndarray):
            features = features.to_numpy(dtype=np.float32)
        module = train_torch(self.recipe, features, labels, self.n_classes, seed)
        return TorchTarget(module, self.n_classes)

    def key(self) -> str:
        return _digest({"torch": self.recipe.model_dump(), "classes": self.n_classes})

    def describe(self) -> str:
        """How reference models are made, for the results' notes."""
        r = self.recipe
        model = "copies of the audited module's architecture (parameters re-initialised)" \
            if is_memory_name(r.model) else f"{r.model} networks"
        return (f"Reference models are {model} trained from scratch with the stated recipe ({r.optimizer}, "
                f"lr {r.lr:g}, {r.epochs} epochs, batch size {r.batch_size}), each on its own half of the candidates.")


class SklearnTrainer:
    """Clones the prototype estimator's parameters; ``random_state`` is set from the seed when present.

    Every fit runs on one thread: thread-count parameters (``n_jobs`` of forests, XGBoost, LightGBM, and of
    estimators nested in pipelines) are set to 1 and OpenMP/BLAS pools limited to one thread
    (:mod:`leakpro.training.threads`); the executor runs several fits at once. ``threads`` records it.
    """

    threads = 1

    def __init__(self, prototype: Any, n_classes: int) -> None:
        from sklearn.base import clone

        from leakpro.training.threads import single_threaded_params

        self.prototype = prototype
        self.n_classes = n_classes
        self.thread_params = single_threaded_params(prototype)  # what was changed, for the audit's notes
        self._prototype = clone(prototype).set_params(**self.thread_params) if self.thread_params else prototype

    @staticmethod
    def can_clone(estimator: Any) -> bool:
        """Whether reference models can be made like ``estimator``: ``sklearn.base.clone`` copies it unfitted."""
        if estimator is None:
            return False
        from sklearn.base import clone

        try:
            clone(estimator)
        except Exception:  # not an estimator (no get_params), or parameters clone cannot copy
            return False
        return True

    def describe(self) -> str:
        """How reference models are made, for the results' notes."""
        return (f"Reference models are copies of the audited {type(self.prototype).__name__} made with "
                "sklearn.base.clone (the same parameters, unfitted; random_state set per model), each refit on "
                "its own half of the candidates.")

    def fit(self, features: Features, labels: np.ndarray, seed: int) -> Target:
        from sklearn.base import clone

        from leakpro.targets.sklearn_target import SklearnTarget
        from leakpro.training.threads import one_thread

        est = clone(self._prototype)
        if "random_state" in est.get_params():
            est.set_params(random_state=seed)
        with one_thread():
            est.fit(features, labels)
        return SklearnTarget(est, self.n_classes)

    def key(self) -> str:
        params = self._prototype.get_params(deep=True)  # the parameters fits use (thread counts at 1)
        desc = {k: repr(v) for k, v in sorted(params.items()) if k != "random_state"}
        return _digest({"sklearn": type(self.prototype).__qualname__, "params": desc, "classes": self.n_classes})


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]
