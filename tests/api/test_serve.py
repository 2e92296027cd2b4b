"""``serve_model_command`` loads models safely and serves them in the HttpTarget format."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from leakpro.config.errors import ConfigError
from leakpro.serve import serve_model_command
from leakpro.targets.http_target import HttpTarget, HttpTargetSpec

X = np.random.default_rng(0).standard_normal((50, 5)).astype(np.float32)


def _serve(path, **kw):
    return serve_model_command(path, 0, "127.0.0.1", kw.pop("model_name", None), kw.pop("params_json", None),
                               kw.pop("trust", False), None, None, echo=lambda _: None, block=False, **kw)


def test_serves_safetensors_mlp_with_shapes_from_weights(adult_mlp):
    tmp, _, target = adult_mlp
    server = _serve(tmp / "mlp.safetensors", params_json='{"hidden": [64, 64]}')
    try:
        z = HttpTarget(HttpTargetSpec(url=server.url), 2).logits(X)
        np.testing.assert_array_equal(z, target.logits(X))
    finally:
        server.stop()
    with pytest.raises(ConfigError, match=r"MODEL: weights do not match the architecture"):
        _serve(tmp / "mlp.safetensors", params_json='{"hidden": [8]}')
    with pytest.raises(ValueError, match=r"--params must be a JSON object"):
        _serve(tmp / "mlp.safetensors", params_json="[1]")


def test_serves_skops_and_refuses_untrusted_pickles(tmp_path):
    import skops.io as sio

    model = LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
    sio.dump(model, tmp_path / "lr.skops")
    joblib.dump(model, tmp_path / "lr.joblib")
    server = _serve(tmp_path / "lr.skops", output="probabilities")
    try:
        z = HttpTarget(HttpTargetSpec(url=server.url, output="probabilities"), 2).logits(X)
        np.testing.assert_allclose(np.exp(z), model.predict_proba(X), atol=1e-12)
    finally:
        server.stop()
    with pytest.raises(ConfigError, match=r"MODEL: pickles can run arbitrary code.*--trust"):
        _serve(tmp_path / "lr.joblib")
    _serve(tmp_path / "lr.joblib", trust=True).stop()
    with pytest.raises(ConfigError, match=r"MODEL: unknown model format"):
        (tmp_path / "m.bin").write_bytes(b"x")
        _serve(tmp_path / "m.bin")
