"""Built-in time-series dataset ``trace`` (optional: ``pip install leakpro[timeseries]``).

The UCR archive's *Trace* dataset (Roverso 2000; UCR Time Series Classification Archive, Dau et al. 2018):
200 univariate series of length 275, four classes of transients in simulated nuclear-plant instrumentation
(train 100 then test 100, concatenated). It is read offline from the copy that ``tslearn`` ships inside its
wheel (``tslearn/.cached_datasets/Trace.npz``): nothing is downloaded at run time. ``sktime`` and ``aeon``
would change the pinned pandas/numpy, so ``tslearn`` (BSD-2-Clause code) is the optional extra.

Licence: the UCR archive is made freely available for research use by its maintainers (cite Dau et al. 2018);
it is not shipped with LeakPro. Features are float32 (N, 1, 275), already z-normalised per series by the
archive; labels 0..3 (archive classes 1..4). The registered ``ts_cnn`` classifies them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from leakpro.data.dataset import Dataset
from leakpro.data.registry import BuiltinDataset, optional_module, register_dataset

TRACE_CLASSES = ("class 1", "class 2", "class 3", "class 4")


def trace_path() -> Path:
    """Where the installed ``tslearn`` keeps its bundled copy of UCR Trace."""
    tslearn = optional_module("tslearn", "trace", "tslearn", "timeseries", " (it bundles UCR Trace)")
    path = Path(str(tslearn.__file__)).parent / ".cached_datasets" / "Trace.npz"
    if not path.exists():
        raise FileNotFoundError(f"tslearn is installed but its bundled UCR Trace is missing ({path})")
    return path


def load_trace() -> Dataset:
    """UCR Trace train + test as one (200, 1, 275) float32 :class:`Dataset`, 4 classes."""
    with np.load(trace_path()) as data:
        x = np.concatenate([data["X_train"], data["X_test"]]).astype(np.float32)
        y = np.concatenate([data["y_train"], data["y_test"]]).astype(np.int64)
    x = np.transpose(x, (0, 2, 1))  # (N, T, 1) → (N, channels, T)
    classes = np.unique(y)
    labels = np.searchsorted(classes, y).astype(np.int64)
    return Dataset("trace", np.ascontiguousarray(x), labels, TRACE_CLASSES)


register_dataset(BuiltinDataset(
    name="trace",
    description="UCR Trace: 200 univariate series of length 275, 4 classes of instrument transients; "
                "optional: pip install 'leakpro[timeseries]'",
    licence="free for research use (UCR Time Series Classification Archive, Dau et al. 2018; Trace by "
            "Roverso 2000), read offline from tslearn's bundled copy; optional extra, not shipped with LeakPro",
    load=load_trace,
    recipe={"model": "ts_cnn", "params": {"width": 16, "hidden": 64, "pool": "flatten"}, "epochs": 100,
            "batch_size": 16, "lr": 3e-3},
))
