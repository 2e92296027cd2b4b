"""The wizards over HTTP: uploaded models audited end to end, every problem named, synthetic audits, comparison."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

from .conftest import FinishedAudit, audit_id_of, tiny_demo, wait_for


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """400 numeric rows: the first 150 trained the model (m), the last 100 are known non-members (p)."""
    from sklearn.datasets import make_classification

    x, y = make_classification(400, n_features=6, random_state=0)
    frame = pd.DataFrame(x.astype(np.float32), columns=[f"f{i}" for i in range(6)])
    frame["y"] = y
    frame["m"] = np.arange(400) < 150
    frame["p"] = np.arange(400) >= 300
    return frame


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _post_upload(client: TestClient, frame: pd.DataFrame, model: tuple[str, bytes], **fields: Any) -> Any:
    data = {"source": "upload", "label": "y", "members": "m", "population": "p", "attacks": ["loss", "population"],
            "name": "uploaded", **fields}
    files = {"data_file": ("patients.csv", _csv(frame), "text/csv"),
             "model_file": (model[0], model[1], "application/octet-stream")}
    return client.post("/audits", data=data, files=files)


def test_uploaded_torch_weights_are_audited(client: TestClient, table: pd.DataFrame, tmp_path: Path) -> None:
    from safetensors.torch import save

    from leakpro.training.models import build_model

    weights = save(build_model("mlp", {"hidden": [16]}, 6, 2).state_dict())
    audit_id = audit_id_of(_post_upload(client, table, ("net.safetensors", weights),
                                        architecture="mlp", model_params='{"hidden": [16]}', epochs="2"))
    assert wait_for(client, audit_id)["status"] == "done"
    result = json.loads(client.get(f"/audits/{audit_id}/files/results.json").text)
    assert [a["id"] for a in result["targets"][0]["attacks"]] == ["loss", "population"]
    assert result["data"]["n_members"] == 150 and result["data"]["n_population"] == 100
    config = yaml.safe_load(client.get(f"/audits/{audit_id}/files/config.yaml").text)
    assert config["target"]["weights"] == "inputs/model.safetensors" and config["data"]["table"] == "inputs/data.csv"
    files = sorted(p.name for p in (tmp_path / "data" / "audits" / audit_id / "inputs").iterdir())
    assert files == ["data.csv", "model.safetensors"]  # stored under fixed names, never the uploaded ones


def test_uploaded_skops_model_is_audited(client: TestClient, table: pd.DataFrame) -> None:
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    members = table[table["m"]]
    model = LogisticRegression().fit(members[[f"f{i}" for i in range(6)]], members["y"])
    audit_id = audit_id_of(_post_upload(client, table, ("model.skops", sio.dumps(model))))
    assert wait_for(client, audit_id)["status"] == "done"
    page = client.get(f"/audits/{audit_id}/results").text
    assert 'data-testid="figures"' in page and '<td title="LOSS threshold">loss</td>' in page


def test_every_problem_is_named_with_its_fix(client: TestClient, table: pd.DataFrame) -> None:
    from safetensors.torch import save

    from leakpro.training.models import build_model

    weights = save(build_model("mlp", {"hidden": [8]}, 6, 2).state_dict())
    r = _post_upload(client, table, ("w.safetensors", weights), label="income", model_params='{"hidden": [16]}')
    assert r.status_code == 422
    assert "Label column (data.label)" in r.text and "set data.label to one of" in r.text
    r = client.post("/audits", data=tiny_demo(attacks=[]))
    assert r.status_code == 422 and "tick at least one attack" in r.text
    r = client.post("/audits", data=tiny_demo(threat_model="labels", attacks=["loss"], seed="x"))
    assert r.status_code == 422
    assert "need another threat model" in r.text and "<b>seed</b>: not a whole number" in r.text
    assert 'value="labels" checked' in r.text  # the form comes back as it was filled in


@pytest.fixture(scope="module")
def synthetic_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    from leakpro.web.app import WebSettings, create_app

    client = TestClient(create_app(WebSettings(data_dir=tmp_path_factory.mktemp("syn"))),
                        base_url="http://127.0.0.1:8765", follow_redirects=False)
    form = {"source": "example", "n_attacks": "40", "seed": "0", "name": "synthetic 0", "pdf": "on"}
    audit_id = audit_id_of(client.post("/synthetic", data=form))
    assert wait_for(client, audit_id)["status"] == "done"
    other = FinishedAudit.of(client.app, audit_id).install(client.app, "synthetic 1")  # type: ignore[arg-type]
    yield client, audit_id, other  # a second audit for the comparison: a copy of the first, under its own name
    client.app.state.leakpro.jobs.stop()  # type: ignore[attr-defined]


def test_synthetic_audit_gets_the_report(synthetic_pair: tuple[TestClient, str, str]) -> None:
    client, audit_id, _ = synthetic_pair
    page = client.get(f"/audits/{audit_id}/results").text
    assert 'data-testid="figures"' in page and ">singling_out/" in page and ">linkability" in page
    report = client.get(f"/audits/{audit_id}/files/report.html").text
    assert 'id="synthetic"' in report
    assert client.get(f"/audits/{audit_id}/files/report.pdf").content.startswith(b"%PDF")
    config = yaml.safe_load(client.get(f"/audits/{audit_id}/files/config.yaml").text)
    assert config["synthetic"]["real"] == "inputs/real.csv" and config["synthetic"]["n_attacks"] == 40


def test_two_audits_side_by_side(synthetic_pair: tuple[TestClient, str, str]) -> None:
    client, a, b = synthetic_pair
    page = client.get(f"/compare?a={a}&b={b}").text
    assert 'data-testid="comparison"' in page and "synthetic 0" in page and "synthetic 1" in page
    rows = page.split('data-testid="comparison"')[1]
    assert rows.count("synthetic / ") >= 4 and "not run" not in rows


def test_synthetic_upload_problems_are_listed(client: TestClient) -> None:
    real = pd.DataFrame({"age": range(50), "zip": [str(i % 7) for i in range(50)]})
    control = real.rename(columns={"zip": "postcode"})
    buf = io.BytesIO()
    real.to_parquet(buf)
    files = {"real_file": ("real.parquet", buf.getvalue(), "application/octet-stream"),
             "synthetic_file": ("syn.csv", _csv(real), "text/csv"),
             "control_file": ("control.csv", _csv(control), "text/csv")}
    r = client.post("/synthetic", data={"source": "upload", "secrets": "salary"}, files=files)
    assert r.status_code == 422
    assert "control" in r.text and "salary" in r.text


def test_config_yaml_writes_shared_values_without_aliases() -> None:
    """The torch wizard uses one params dict in target and recipe; the config reader refuses YAML aliases."""
    from leakpro.config.yaml_io import load_yaml_text
    from leakpro.web.forms import config_yaml

    params = {"hidden": [8, 8]}
    config = {"target": {"params": params, "recipe": {"params": params}}}
    text = config_yaml(config)
    assert "&" not in text and "*" not in text
    assert load_yaml_text(text) == config


def test_synthetic_wizard_also_audits_a_generator(tmp_path: Path) -> None:
    from leakpro.web.app import WebSettings, create_app

    client = TestClient(create_app(WebSettings(data_dir=tmp_path)), base_url="http://127.0.0.1:8765",
                        follow_redirects=False)
    try:
        form = {"source": "example", "n_attacks": "40", "seed": "0", "name": "generator audit",
                "generator": "dp_marginals_broken", "generator_epsilon": "1", "generator_targets": "1",
                "generator_tables": "10", "generator_rows": "100"}
        bad = client.post("/synthetic", data={**form, "generator_rows": "5000", "generator": "nope"})
        assert bad.status_code == 422 and "unknown generator" in bad.text
        too_big = client.post("/synthetic", data={**form, "generator_rows": "5000"})
        assert too_big.status_code == 422 and "generator_rows" in too_big.text
        audit_id = audit_id_of(client.post("/synthetic", data=form))
        assert wait_for(client, audit_id)["status"] == "done"
        config = yaml.safe_load(client.get(f"/audits/{audit_id}/files/config.yaml").text)
        assert config["synthetic"]["generator"] == {"kind": "dp_marginals_broken", "params": {"epsilon": 1.0}}
        report = client.get(f"/audits/{audit_id}/files/report.html").text
        assert 'id="synthetic"' in report and "Most exposed records" in report and "dp_marginals_broken" in report
    finally:
        client.app.state.leakpro.jobs.stop()  # type: ignore[attr-defined]
