"""The language-model wizard's upload: a real tiny ``transformers`` model zipped from its save_pretrained directory
is audited end to end; hostile archives (zip-slip, absolute paths, symlinks, pickled weights, remote code, a zip
bomb, an oversized upload) are refused with every problem listed, escaped, under a CSP without inline code."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from leakpro.config.llm import LMRecipe
from leakpro.training.causal_lm import new_model, save_causal_lm, train_tokenizer
from leakpro.web.model_zip import extract_model_zip

from .conftest import audit_id_of, wait_for

MEMBERS = [f"member text number {i} about the {w}" for i, w in enumerate(["sea", "sky", "hill", "wood"] * 3)]
NON_MEMBERS = [f"other text number {i} about the {w}" for i, w in enumerate(["sand", "rain", "moss", "reed"] * 3)]


@pytest.fixture(scope="module")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files save_pretrained writes for a tiny random GPT-2 and its tokenizer."""
    tok = train_tokenizer(MEMBERS + NON_MEMBERS, vocab_size=300)
    model = new_model(LMRecipe(n_embd=16, n_head=2, n_layer=1, max_tokens=32), len(tok), tok.bos_token_id, seed=0)
    root = save_causal_lm(model, tok, tmp_path_factory.mktemp("lm") / "tiny-gpt2")
    return {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}


def _zip(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _form(archive: bytes, **texts: bytes) -> dict[str, tuple[str, bytes, str]]:
    files = {
        "model_archive": ("model.zip", archive, "application/zip"),
        "members_file": ("members.txt", "\n".join(MEMBERS).encode(), "text/plain"),
        "non_members_file": ("non_members.txt", "\n".join(NON_MEMBERS).encode(), "text/plain"),
    }
    files.update({k: (f"{k}.txt", v, "text/plain") for k, v in texts.items()})
    return files


def test_a_zipped_save_pretrained_directory_is_audited(client: TestClient, model_files: dict[str, bytes]) -> None:
    archive = _zip({f"tiny-gpt2/{n}": b for n, b in model_files.items()})  # zipped with its folder: one level is fine
    r = client.post("/llm", data={"source": "upload", "name": "my tiny lm", "seed": "0"}, files=_form(archive))
    audit_id = audit_id_of(r)
    snap = wait_for(client, audit_id, timeout=240)
    assert snap["status"] == "done", snap
    result = client.get(f"/audits/{audit_id}/files/llm_results.json").json()
    assert result["kind"] == "llm" and result["candidates"] == len(MEMBERS) + len(NON_MEMBERS)
    target = result["models"][0]
    assert [a["attack"] for a in target["attacks"]] == ["loss", "zlib", "min_k", "min_k_plus_plus"]
    assert result["blind_baseline"] is not None
    assert 'data-testid="llm-table"' in client.get(f"/audits/{audit_id}/files/report.html").text


def test_hostile_archives_are_refused_with_every_problem(client: TestClient, model_files: dict[str, bytes]) -> None:
    config = json.loads(model_files["config.json"])
    hostile = {
        "../../escape.json": b"{}",
        "/etc/cron.d/x": b"",
        "pytorch_model.bin": b"\x80\x04pickle",
        "modeling_evil.py": b"import os",
        "<img src=x onerror=alert(1)>.txt": b"",
        "config.json": json.dumps({**config, "auto_map": {"AutoModelForCausalLM": "m.Evil"}}).encode(),
    }
    archive = _zip(hostile, links=("tokenizer.json",))
    r = client.post("/llm", data={"source": "upload", "seed": "0"}, files=_form(archive))
    assert r.status_code == 422
    page = r.text
    for expected in ("climbs out", "symbolic link", "pickled weights", "holds code", "not part of a save_pretrained"):
        assert expected in page, expected
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page  # the user's text, escaped
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert not any((p / "inputs" / "model").exists() for p in (client.app.state.leakpro.storage.base).iterdir())


def test_remote_code_and_pickle_only_directories_are_refused(tmp_path: Path, model_files: dict[str, bytes]) -> None:
    config = json.loads(model_files["config.json"])
    auto_map = {**model_files, "config.json": json.dumps({**config, "auto_map": {"AutoModel": "m.X"}}).encode()}
    (tmp_path / "a.zip").write_bytes(_zip(auto_map))
    issues = extract_model_zip("model_archive", tmp_path / "a.zip", tmp_path / "a", 1 << 20)
    assert any("remote code" in i.problem for i in issues) and not (tmp_path / "a").exists()
    no_weights = {n: b for n, b in model_files.items() if not n.endswith(".safetensors")}
    (tmp_path / "b.zip").write_bytes(_zip({**no_weights, "pytorch_model.bin": b"\x80\x04x"}))
    issues = extract_model_zip("model_archive", tmp_path / "b.zip", tmp_path / "b", 1 << 20)
    assert [i.problem for i in issues] == ["pickled weights are never loaded (a pickle can run code)"]
    (tmp_path / "c.zip").write_bytes(_zip(no_weights))
    issues = extract_model_zip("model_archive", tmp_path / "c.zip", tmp_path / "c", 1 << 20)
    assert any("no *.safetensors weights" in i.problem for i in issues)
    fake = {**model_files, "model.safetensors": b"not a safetensors file at all"}
    (tmp_path / "d.zip").write_bytes(_zip(fake))
    issues = extract_model_zip("model_archive", tmp_path / "d.zip", tmp_path / "d", 1 << 20)
    assert any("safetensors" in i.problem for i in issues)
    (tmp_path / "ok.zip").write_bytes(_zip(model_files))
    assert extract_model_zip("model_archive", tmp_path / "ok.zip", tmp_path / "ok", 1 << 20) == []
    assert {p.name for p in (tmp_path / "ok").iterdir()} == set(model_files)


def test_zip_bombs_and_oversized_uploads_are_refused(
    client: TestClient, tmp_path: Path, model_files: dict[str, bytes]
) -> None:
    bomb = {**model_files, "model.safetensors": bytes(2 << 20)}  # 2 MiB of zeros: a few KiB zipped
    archive = _zip(bomb)
    assert len(archive) < 64 * 1024
    (tmp_path / "bomb.zip").write_bytes(archive)
    issues = extract_model_zip("model_archive", tmp_path / "bomb.zip", tmp_path / "bomb", 1 << 20)
    assert [i.problem for i in issues] == ["the model is larger than 1 MiB unpacked"]
    r = client.post("/llm", data={"source": "upload", "seed": "0"}, files=_form(archive))  # 4 × 256 KiB unpacked
    assert r.status_code == 422 and "larger than 1 MiB unpacked" in r.text
    big = _zip({"model.safetensors": np.random.default_rng(0).bytes(300 * 1024)})  # random: over the 256 KiB limit
    r = client.post("/llm", data={"source": "upload", "seed": "x"}, files=_form(big, members_file=b""))
    assert r.status_code == 422
    for expected in ("larger than the limit", "members_file", "the file is empty", "seed"):
        assert expected in r.text, expected
