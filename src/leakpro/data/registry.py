"""Built-in datasets, registered by name (``data: {builtin: adult}``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from leakpro.data.dataset import Dataset
from leakpro.registry import Registry


@dataclass(frozen=True)
class BuiltinDataset:
    name: str
    description: str
    licence: str
    load: Callable[[], Dataset]
    recipe: dict[str, Any] | None = None  # the registered training recipe (target.recipe when a config omits it)


_DATASETS: Registry[BuiltinDataset] = Registry("dataset")


def optional_module(module: str, dataset: str, package: str, extra: str, why: str = "") -> ModuleType:
    """Import ``module`` for the built-in ``dataset``, or raise an ImportError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"the {dataset} dataset needs the optional package {package}{why}; fix: "
                          f"pip install 'leakpro[{extra}]'") from exc


def register_dataset(entry: BuiltinDataset) -> BuiltinDataset:
    return _DATASETS.add(entry.name, entry)


def builtin_datasets() -> dict[str, BuiltinDataset]:
    import leakpro.data.faces
    import leakpro.data.fortunes
    import leakpro.data.graphs
    import leakpro.data.images
    import leakpro.data.text
    import leakpro.data.timeseries  # noqa: F401  (optional face/graph/text/time-series datasets register; their extras load them)

    return _DATASETS.items()


def _load_adult() -> Dataset:
    from leakpro.data.adult import CLASSES, encode_adult, load_adult_frame

    frame = load_adult_frame("all")
    x, y, names = encode_adult(frame)
    return Dataset("adult", x, y, CLASSES, frame=frame, feature_names=tuple(names))


register_dataset(
    BuiltinDataset(
        name="adult",
        description="UCI Adult census income, 48,842 people (train + test splits), 108 encoded features",
        licence="CC BY 4.0 (UCI Machine Learning Repository; Becker & Kohavi 1996)",
        load=_load_adult,
        recipe={"model": "mlp", "params": {"hidden": [256, 256]}, "optimizer": "adam", "lr": 1e-3, "epochs": 40,
                "batch_size": 128},
    )
)
