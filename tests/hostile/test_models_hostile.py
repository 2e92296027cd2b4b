"""Hostile model files and model names: nothing that can run code is loaded or imported without trust.

Audits (``target.file`` / ``target.weights``) and ``serve-model`` (MODEL, ``--model-name``) accept the same
things: safetensors and weights-only state dicts, skops files with checked types, pickles and imported code only
with trust.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from hostile.test_data_hostile import assert_clear, make_world, problems, sk_config, torch_config
from leakpro.config.errors import ConfigError


class Payload:
    """Unpickling runs ``touch MARKER``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        import os

        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("hostile_models"))


def _pickle(path: Path, marker: Path) -> Path:
    path.write_bytes(pickle.dumps(Payload(marker)))
    return path


@pytest.mark.parametrize(("name", "kind", "field", "problem"), [
    ("m.pkl", "sklearn", "target.file", r"pickles can run arbitrary code when loaded"),
    ("m.joblib", "sklearn", "target.file", r"pickles can run arbitrary code when loaded"),
    ("m.skops", "sklearn", "target.file", r"m\.skops is named \.skops but holds a pickle"),
    ("m.pt", "torch", "target.weights", r"m\.pt is a pickle with code, not plain weights"),
    ("m.safetensors", "torch", "target.weights", r"m\.safetensors is a pickle with code, not plain weights"),
], ids=["pkl", "joblib", "pickle-named-skops", "pickled-pt", "pickle-named-safetensors"])
def test_pickled_model_files_are_not_loaded_without_trust(world, tmp_path, name, kind, field, problem):
    marker = tmp_path / "pwned"
    _pickle(world / name, marker)
    cfg = sk_config(target={"kind": "sklearn", "file": name}) if kind == "sklearn" else torch_config(
        target={"kind": "torch", "model": "mlp", "params": {"hidden": [8]}, "weights": name})
    assert_clear(problems(world, cfg), field, problem)
    assert not marker.exists()


@pytest.mark.parametrize(("model_name", "trust", "problem"), [
    ("os:system", False, r"--model-name: importing 'os' would run its code.*Fix: .*set --trust"),
    ("subprocess:Popen", False, r"--model-name: importing 'subprocess' would run its code"),
    ("os.path:join", False, r"--model-name: importing 'os.path' would run its code"),
], ids=["os-system", "subprocess", "os-path"])
def test_serve_model_imports_a_named_class_only_with_trust(world, model_name, trust, problem):
    from leakpro.serve import serve_model_command

    with pytest.raises(ConfigError, match=problem):
        serve_model_command(world / "mlp.safetensors", 0, "127.0.0.1", model_name, None, trust, 2, 4,
                            echo=lambda _: None, block=False)


def test_serve_model_with_trust_imports_the_users_class(world):
    from leakpro.serve import serve_model_command

    server = serve_model_command(world / "mlp.safetensors", 0, "127.0.0.1", "leakpro.training.models:MLP",
                                 '{"in_features": 4, "n_classes": 2, "hidden": [8]}', True, 2, 4,
                                 echo=lambda _: None, block=False)
    server.stop()


def test_garbage_weights_are_a_clear_error(world):
    (world / "junk.safetensors").write_bytes(b"\x00\xff" * 100)
    cfg = torch_config(target={"kind": "torch", "model": "mlp", "params": {"hidden": [8]},
                               "weights": "junk.safetensors"})
    assert_clear(problems(world, cfg), "target.weights", r"junk\.safetensors is not a valid weights file")
