"""Load a model file safely for serving: safetensors / weights-only ``.pt`` with a named architecture,
skops (types checked), pickles only with ``trust``, ONNX when onnxruntime is installed.

Reuses :mod:`leakpro.targets.loading`, so serving accepts exactly what an audit accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.schema import TargetSpec
from leakpro.targets.protocol import Target

TORCH_SUFFIXES = (".safetensors", ".pt", ".pth")
SKLEARN_SUFFIXES = (".skops", ".pkl", ".pickle", ".joblib")
_CLI_NAMES = {"target.model": "--model-name", "target.params": "--params", "target.weights": "MODEL",
              "target.file": "MODEL", "target.trusted_types": "--trust"}


def _raise(issues: list[ConfigIssue]) -> None:
    def cli(fix: str) -> str:
        return (fix.replace("target.trust: true (or --trust)", "--trust").replace("target.trust: true", "--trust")
                .replace("target.trusted_types", "--trust"))

    renamed = [ConfigIssue(_CLI_NAMES.get(i.field, i.field), i.problem, cli(i.fix), i.received) for i in issues]
    raise ConfigError(renamed)


def _state_shapes(path: Path) -> list[tuple[int, ...]]:
    """Shapes of the 2-D tensors in a weights file, in order (safe loaders only); [] if unreadable."""
    try:
        if path.suffix == ".safetensors":
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as f:
                return [tuple(f.get_slice(k).get_shape()) for k in f.keys()]  # noqa: SIM118
        import torch

        state = torch.load(path, map_location="cpu", weights_only=True)
        return [tuple(v.shape) for v in state.values()] if isinstance(state, dict) else []
    except Exception:  # the real loader reports the problem with its fix
        return []


def _torch_target(path: Path, model_name: str | None, params: dict[str, Any], n_classes: int | None,
                  in_features: int | None, trust: bool) -> Target:
    from leakpro.targets.loading import load_torch_target

    shapes = [s for s in _state_shapes(path) if len(s) == 2]
    in_features = in_features or (shapes[0][1] if shapes else None)
    n_classes = n_classes or (shapes[-1][0] if shapes else None)
    if in_features is None or n_classes is None:
        _raise([ConfigIssue("--in-features/--n-classes", "could not be read from the weights",
                            "give --in-features and --n-classes")])
    spec = TargetSpec.model_validate({"kind": "torch", "model": model_name or "mlp", "params": params,
                                      "weights": path.name, "trust": trust})
    issues: list[ConfigIssue] = []
    target = load_torch_target(spec, int(in_features), int(n_classes), path.parent, issues)  # type: ignore[arg-type]
    if target is None:
        _raise(issues)
    return target  # type: ignore[return-value]


def _sklearn_target(path: Path, trust: bool, trusted_types: Sequence[str], n_classes: int | None) -> Target:
    from leakpro.targets.loading import load_sklearn_estimator
    from leakpro.targets.sklearn_target import SklearnTarget

    spec = TargetSpec.model_validate({"kind": "sklearn", "file": path.name, "trust": trust,
                                      "trusted_types": list(trusted_types)})
    issues: list[ConfigIssue] = []
    est = load_sklearn_estimator(spec, path.parent, issues)
    if est is None:
        _raise(issues)
    if not hasattr(est, "predict_proba"):
        _raise([ConfigIssue("MODEL", f"{type(est).__name__} has no predict_proba", "serve a probabilistic model")])
    classes = getattr(est, "classes_", None)
    return SklearnTarget(est, n_classes or (len(classes) if classes is not None else 2))


class OnnxTarget:
    """An ONNX classifier run by onnxruntime: the ``probabilities`` output if present, else the first (N, C)."""

    def __init__(self, path: Path, n_classes: int | None) -> None:
        import onnxruntime as ort

        self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        names = [o.name for o in self.session.get_outputs()]
        self.output = "probabilities" if "probabilities" in names else names[0]
        self.path = path
        self.n_classes = n_classes or 0

    def logits(self, features: Any) -> np.ndarray:
        x = np.asarray(features, dtype=np.float32)
        out = np.asarray(self.session.run([self.output], {self.input: x})[0], dtype=np.float64)
        if self.n_classes == 0:
            self.n_classes = int(out.shape[1])
        if self.output == "probabilities":
            return np.log(np.clip(out, 1e-30, 1.0))
        return out

    def predict(self, features: Any) -> np.ndarray:
        return self.logits(features).argmax(axis=1).astype(np.int64)

    def describe(self) -> str:
        return f"ONNX model {self.path.name}"


def load_served_model(path: Path | str, *, model_name: str | None = None, params: dict[str, Any] | None = None,
                      trust: bool = False, trusted_types: Sequence[str] = (), n_classes: int | None = None,
                      in_features: int | None = None) -> Target:
    """Load a model file as a Target, refusing anything that could run code unless ``trust`` is set.

    ``.safetensors``/``.pt``: a state dict for ``model_name`` (default ``mlp``, or ``package.module:Class``,
    which is imported only with ``trust``: importing a module runs its code) built with ``params``; in/out
    sizes are read from the weights when not given. ``.skops``: types checked
    (``trusted_types`` or ``trust``). ``.pkl``/``.joblib``: only with ``trust``. ``.onnx``: needs onnxruntime.
    """
    path = Path(path)
    if not path.is_file():
        _raise([ConfigIssue("MODEL", "file not found", "give the path of a saved model", str(path))])
    suffix = path.suffix.lower()
    if suffix in TORCH_SUFFIXES:
        return _torch_target(path, model_name, dict(params or {}), n_classes, in_features, trust)
    if suffix in SKLEARN_SUFFIXES:
        return _sklearn_target(path, trust, trusted_types, n_classes)
    if suffix == ".onnx":
        try:
            import onnxruntime  # noqa: F401
        except ImportError:
            _raise([ConfigIssue("MODEL", "serving ONNX models needs onnxruntime, which is not installed",
                                "pip install onnxruntime, or serve the original torch/sklearn model")])
        target = OnnxTarget(path, n_classes)
        target.logits(np.zeros((1, in_features or _onnx_width(target)), dtype=np.float32))  # fails early
        return target
    _raise([ConfigIssue("MODEL", "unknown model format",
                        "use .safetensors/.pt (torch), .skops (sklearn), .pkl/.joblib with --trust, or .onnx",
                        path.suffix)])
    raise AssertionError("unreachable")


def _onnx_width(target: OnnxTarget) -> int:
    shape = target.session.get_inputs()[0].shape
    if len(shape) != 2 or not isinstance(shape[1], int):
        raise ValueError("the ONNX input width is not fixed; give --in-features")
    return int(shape[1])
