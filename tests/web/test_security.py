"""Security: upload names, sizes, disguised pickles, the token, foreign hosts and origins, audit isolation."""

from __future__ import annotations

import io
import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from leakpro.web.cli import serve_command
from leakpro.web.models import AuditKind
from leakpro.web.security import BindError, check_bind

TOKEN = "a-long-random-test-token-123"


def _upload_form(data: tuple[str, bytes], model: tuple[str, bytes] = ("model.skops", b"x")) -> dict[str, Any]:
    return {"files": {"data_file": (data[0], data[1], "application/octet-stream"),
                      "model_file": (model[0], model[1], "application/octet-stream")},
            "data": {"source": "upload", "label": "y", "members": "m", "attacks": ["loss"]}}


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", ["../../evil.csv", "..\\..\\evil.csv", "/tmp/evil.csv", "inputs/../../evil.csv"])
def test_upload_name_with_a_path_is_refused(client: TestClient, tmp_path: Path, name: str) -> None:
    r = client.post("/audits", **_upload_form((name, b"a,b\n1,2\n")))
    assert r.status_code == 422
    assert "data_file" in r.text and "contains a path" in r.text
    assert not any(p.name == "evil.csv" for p in tmp_path.rglob("*"))
    assert list((tmp_path / "data" / "audits").iterdir()) == []  # the half-made audit directory is gone


def test_pickles_and_python_are_refused_by_extension(client: TestClient) -> None:
    for name in ("model.pkl", "model.joblib", "model.pt", "model.py"):
        r = client.post("/audits", **_upload_form(("data.csv", b"a,b\n1,2\n"), (name, b"\x80\x04K\x01.")))
        assert r.status_code == 422 and "model_file" in r.text and "never accepted" in r.text, name


class _Boom:
    """Unpickling this writes a marker file: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.write_text, (self.marker, "the pickle ran"))


@pytest.mark.parametrize("suffix", [".skops", ".safetensors", ".onnx"])
def test_a_pickle_disguised_as_a_model_is_refused_unloaded(client: TestClient, tmp_path: Path, suffix: str) -> None:
    marker = tmp_path / "pwned.txt"
    payload = pickle.dumps(_Boom(marker), protocol=4)
    r = client.post("/audits", **_upload_form(("data.csv", b"a,y,m\n1,0,1\n2,1,0\n"), ("model" + suffix, payload)))
    assert r.status_code == 422
    assert "model_file" in r.text and "pickle" in r.text
    assert not marker.exists()


def test_a_torch_save_archive_named_safetensors_is_refused(client: TestClient) -> None:
    import torch

    buf = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, buf)
    r = client.post("/audits", **_upload_form(("data.csv", b"a,y,m\n1,0,1\n"), ("model.safetensors", buf.getvalue())))
    assert r.status_code == 422 and "torch.save archive" in r.text


def test_npz_with_pickled_objects_is_refused(client: TestClient) -> None:
    buf = io.BytesIO()
    np.savez(buf, features=np.array([{"a": 1}, None], dtype=object))
    r = client.post("/audits", **_upload_form(("data.npz", buf.getvalue())))
    assert r.status_code == 422 and "data_file" in r.text and "Python objects" in r.text


def test_oversized_uploads_are_refused(client: TestClient, tmp_path: Path) -> None:
    big = b"a,b\n" + b"1,2\n" * 80_000  # 320 KB, over this client's 256 KiB file limit
    r = client.post("/audits", **_upload_form(("data.csv", big)))
    assert r.status_code == 422 and "larger than the limit" in r.text
    assert _files_under(tmp_path / "data" / "audits") == []
    huge = b"0" * (2 * 2**20)  # over the request limit (3 files + 1 MiB): refused before it is read
    r = client.post("/audits", **_upload_form(("data.csv", huge)))
    assert r.status_code == 413


def test_oversized_chunked_body_is_refused(client: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(40):
            yield b"x" * 65536

    r = client.post("/audits", content=chunks(), headers={"content-type": "multipart/form-data; boundary=zzz"})
    assert r.status_code == 413


def test_token_is_required_on_every_request(make_client: Callable[..., TestClient]) -> None:
    c = make_client(token=TOKEN, loopback_only=False)
    for method, path in [("GET", "/"), ("GET", "/audits/new"), ("GET", "/static/app.js"), ("POST", "/audits"),
                         ("GET", "/audits/" + "0" * 32 + "/events"), ("GET", "/audits/" + "0" * 32 + "/files/x")]:
        assert c.request(method, path).status_code == 401, path
        assert c.request(method, path, headers={"X-LeakPro-Token": "wrong" * 5}).status_code == 401, path
    assert c.get("/", headers={"X-LeakPro-Token": TOKEN}).status_code == 200
    assert c.get("/", cookies={"leakpro_token": "nope"}).status_code == 401
    r = c.get("/audits/new?token=" + TOKEN)  # the printed URL: sets the cookie, drops the token from the URL
    assert r.status_code == 303 and r.headers["location"] == "/audits/new"
    assert f"leakpro_token={TOKEN}" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    assert c.get("/audits/new").status_code == 200  # the client now carries the cookie
    c.cookies.clear()
    assert c.get("/audits/new").status_code == 401
    assert c.get("/?token=wrong-token-wrong-token").status_code == 401


def test_binding_beyond_loopback_needs_a_token(tmp_path: Path) -> None:
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("0.0.0.0", TOKEN)
    with pytest.raises(BindError, match="--token"):
        check_bind("0.0.0.0", None)
    with pytest.raises(BindError, match="at least 16"):
        check_bind("0.0.0.0", "short")
    with pytest.raises(BindError, match=r"--host 192\.168\.1\.5"):
        serve_command("192.168.1.5", 8765, None, tmp_path, open_browser=False)


def test_foreign_host_and_cross_site_posts_are_refused(client: TestClient) -> None:
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 421  # DNS rebinding
    r = client.post("/audits", data={"source": "demo"}, headers={"origin": "http://attacker.example"})
    assert r.status_code == 403
    r = client.get("/")
    assert "default-src 'self'" in r.headers["content-security-policy"]


def _fake_audit(c: TestClient, secret: str) -> str:
    st = c.app.state.leakpro  # type: ignore[attr-defined]
    from leakpro.web.db import new_audit_id

    audit_id = new_audit_id()
    d = st.storage.create(audit_id)
    d.out.mkdir()
    d.results.write_text(json.dumps({"secret": secret}))
    (d.out / "report.html").write_text(f"<p>{secret}</p>")
    (d.inputs / "data.csv").write_text(f"secret\n{secret}\n")
    st.db.create_audit(audit_id, AuditKind.MEMBERSHIP, secret, {}, False, [])
    st.db.update(audit_id, status="done")
    return audit_id


def test_one_audit_cannot_read_another_audits_files(client: TestClient) -> None:
    a, b = _fake_audit(client, "SECRET-A"), _fake_audit(client, "SECRET-B")
    assert "SECRET-A" in client.get(f"/audits/{a}/files/report.html").text
    attempts = [f"/audits/{a}/files/../{b}/files/report.html", f"/audits/{a}/files/..%2F{b}%2Fout%2Freport.html",
                f"/audits/{a}/files/%2e%2e%2f%2e%2e%2f{b}%2fout%2freport.html", f"/audits/{a}/files/out%2Freport.html",
                f"/audits/{a}/files/inputs%2Fdata.csv", f"/audits/{a}/files/data.csv",
                f"/audits/..%2F{b}/files/report.html", f"/audits/{a}%2F..%2F{b}/files/report.html"]
    for url in attempts:
        r = client.get(url)
        assert "SECRET-B" not in r.text, url
        if "SECRET-A" not in r.text:  # a path that normalises back to A's own report is harmless
            assert r.status_code == 404, url
    assert "SECRET-B" not in client.get(f"/audits/{a}/results").text
