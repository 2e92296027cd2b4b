"""Load a user's target model safely: safetensors / weights-only state dicts, skops, pickles only if trusted."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from leakpro.config.errors import ConfigIssue
from leakpro.config.schema import TargetSpec
from leakpro.targets.protocol import Target

PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")


def _looks_like_pickle(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(2)
    return len(head) == 2 and head[0] == 0x80 and head[1] <= 5


def load_torch_target(
    spec: TargetSpec, in_features: int, n_classes: int, base: Path, issues: list[ConfigIssue]
) -> Target | None:
    """Build the architecture and load weights strictly (every key must match)."""
    import torch

    from leakpro.targets.torch_target import TorchTarget
    from leakpro.training.models import TRUST_FIX, build_model, import_problem

    if spec.model is None:
        issues.append(ConfigIssue("target.model", "missing", "name a registered model (e.g. mlp) or 'pkg.mod:Class'"))
        return None
    problem = import_problem(spec.model, trust=spec.trust)
    if problem is not None:  # checked before anything is imported: importing a module runs its code
        issues.append(ConfigIssue("target.model", problem, TRUST_FIX, spec.model[:80], needs_trust=True))
        return None
    try:
        module = build_model(spec.model, spec.params, in_features, n_classes)
    except Exception as exc:
        issues.append(ConfigIssue("target.model", f"could not build the model: {exc}",
                                  "check target.model and target.params", spec.model))
        return None
    if spec.weights is None:
        issues.append(ConfigIssue("target.weights", "missing", "give a .safetensors or .pt state-dict file"))
        return None
    path = base / spec.weights
    if not path.is_file():
        issues.append(ConfigIssue("target.weights", "file not found", "give an existing weights file", str(path)))
        return None
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        unpickling = isinstance(exc, pickle.UnpicklingError) or _looks_like_pickle(path)
        kind = "a pickle with code, not plain weights" if unpickling else "not a valid weights file"
        issues.append(ConfigIssue("target.weights", f"{path.name} is {kind} ({type(exc).__name__})",
                                  "save with safetensors.torch.save_file(model.state_dict(), ...) or "
                                  "torch.save(model.state_dict(), ...)", str(path)))
        return None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        issues.append(ConfigIssue("target.weights", "the file is not a state dict of tensors",
                                  "save model.state_dict(), not the whole model"))
        return None
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        detail = str(exc).replace("\n", " ")[:300]
        outputs = [v for v in state.values() if v.ndim >= 1][-1:]  # the last layer's bias (or weight) by convention
        if outputs and outputs[0].shape[0] != n_classes:
            issues.append(ConfigIssue("data.label", f"the weights' last layer has {outputs[0].shape[0]} outputs but "
                                      f"the label has {n_classes} classes", "set data.label to the column the model "
                                      "was trained to predict: its classes must match the model's outputs"))
            return None
        issues.append(ConfigIssue("target.weights", "weights do not match the architecture",
                                  "check target.model/params against the saved model", detail))
        return None
    return TorchTarget(module, n_classes)


def load_sklearn_estimator(spec: TargetSpec, base: Path, issues: list[ConfigIssue]) -> Any | None:
    """skops files load with their untrusted types checked; pickles only with ``trust: true``."""
    if spec.file is None:
        issues.append(ConfigIssue("target.file", "missing", "give a .skops file (or a pickle with trust: true)"))
        return None
    path = base / spec.file
    if not path.is_file():
        issues.append(ConfigIssue("target.file", "file not found", "give an existing model file", str(path)))
        return None
    if path.suffix in PICKLE_SUFFIXES or (_looks_like_pickle(path) and path.suffix != ".skops"):
        if not spec.trust:
            issues.append(ConfigIssue("target.file", "pickles can run arbitrary code when loaded",
                                      "save the model with skops.io.dump, or set target.trust: true "
                                      "(--trust) if you created this file yourself", path.name, needs_trust=True))
            return None
        import joblib

        return joblib.load(path)
    if path.suffix != ".skops":
        issues.append(ConfigIssue("target.file", "unknown model format", "use .skops, or .pkl/.joblib with trust",
                                  path.suffix))
        return None
    if _looks_like_pickle(path):
        issues.append(ConfigIssue("target.file", f"{path.name} is named .skops but holds a pickle",
                                  "re-save it with skops.io.dump; never load such a file from a stranger"))
        return None
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:
        issues.append(ConfigIssue("target.file", f"{path.name} is not a valid skops file ({type(exc).__name__})",
                                  "re-save it with skops.io.dump"))
        return None
    refused = [t for t in untrusted if t not in spec.trusted_types]
    if refused and not spec.trust:
        issues.append(ConfigIssue("target.trusted_types", f"the skops file needs types you have not trusted: {refused}",
                                  "list them in target.trusted_types after checking them", needs_trust=True))
        return None
    return sio.load(path, trusted=untrusted)


def load_held_model(spec: TargetSpec, issues: list[ConfigIssue]) -> Any | None:
    """The model held in this Python session under ``target.memory`` (:mod:`leakpro.config.memory`).

    It is the caller's own object, so nothing is unpickled or imported; it must fit ``target.kind``: a
    ``torch.nn.Module`` for torch, an object with ``predict_proba`` or ``predict`` for sklearn.
    """
    from leakpro.config.memory import lookup

    model = lookup(str(spec.memory))
    if model is None:
        issues.append(ConfigIssue("target.memory", "no model is held under this name in this Python session",
                                  "pass the model to leakpro.audit_model, or name a file with target.file / "
                                  "target.weights", str(spec.memory)))
        return None
    if spec.kind == "torch":
        from torch import nn

        if not isinstance(model, nn.Module):
            issues.append(ConfigIssue("target.memory", f"a torch target must be a torch.nn.Module, not "
                                      f"{type(model).__name__}", "pass the module itself"))
            return None
    elif not (hasattr(model, "predict_proba") or hasattr(model, "predict")):
        issues.append(ConfigIssue("target.memory", f"{type(model).__name__} has neither predict_proba nor predict",
                                  "pass a fitted classifier (scikit-learn, XGBoost, LightGBM, or any object with "
                                  "predict_proba(X) / predict(X))"))
        return None
    return model
