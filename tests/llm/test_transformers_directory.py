"""A real ``transformers`` model saved with ``save_pretrained`` and audited from its directory through
``leakpro audit CONFIG`` (an ``llm:`` section), beside a null model; and the config validated up front: every problem
at once, pickled weights and remote code refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from leakpro.cli.app import app
from leakpro.config.errors import ConfigError
from leakpro.config.llm import LMRecipe, parse_llm_config
from leakpro.data.fortunes import load_fortunes
from leakpro.results.llm import LLMAuditResult
from leakpro.targets.causal_lm import load_causal_lm
from leakpro.training.causal_lm import save_causal_lm, train_causal_lm, train_tokenizer

RECIPE = LMRecipe(n_embd=32, n_head=2, n_layer=1, max_tokens=64, epochs=30, lr=3e-3)


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lm-dir")
    texts = load_fortunes()["text"].tolist()
    rng = np.random.default_rng(5)
    order = rng.permutation(len(texts))
    candidates = [texts[i] for i in order[:120]]
    population = [texts[i] for i in order[120:420]]
    other = [texts[i] for i in order[420:480]]
    members = rng.permutation(120) < 60
    tok = train_tokenizer(population, vocab_size=500)
    target = train_causal_lm([t for t, m in zip(candidates, members, strict=True) if m], tok, RECIPE, seed=0)
    null = train_causal_lm(other, tok, RECIPE, seed=1)
    save_causal_lm(target, tok, root / "target")
    save_causal_lm(null, tok, root / "null")
    pd.DataFrame({"text": candidates, "member": members}).to_csv(root / "candidates.csv", index=False)
    pd.DataFrame({"text": population}).to_csv(root / "population.csv", index=False)
    return root


def _config(root: Path, **llm: object) -> dict[str, object]:
    section = {"target": {"path": "target"}, "null_target": {"path": "null"},
               "texts": {"file": "candidates.csv"}, "population": {"file": "population.csv"},  # no member column needed
               "attacks": ["loss", "zlib", "min_k", "min_k_plus_plus", "reference", "lira", "rmia", "rmia_offline"],
               "canaries": {"prefix": "my secret code is", "digits": 6, "samples": 100,
                            "inserted": [{"secret": "4 1 7 9 2 6", "repetitions": 0},
                                         {"secret": "031337", "repetitions": 0}]},
               "reference": {"models": 2, "offline_models": 3,
                             "recipe": {"n_embd": 32, "n_head": 2, "n_layer": 1, "epochs": 3, "max_tokens": 64}},
               "blind_baseline": {"permutations": 5}}
    section.update(llm)
    return {"name": "tiny-gpt2-from-a-directory", "seed": 0, "llm": section, "executor": {"kind": "local"}}


def test_the_directory_holds_safetensors_and_loads_without_remote_code(model_dirs: Path) -> None:
    files = {p.name for p in (model_dirs / "target").iterdir()}
    assert "model.safetensors" in files and "tokenizer.json" in files and not any(f.endswith(".bin") for f in files)
    lm = load_causal_lm(model_dirs / "target")
    sig = lm.token_log_probs(["A fortune a day keeps the doctor away."])
    assert len(sig) == 1 and np.all(sig.logp < 0)


def test_audit_of_a_saved_transformers_model_through_the_cli(model_dirs: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "llm.yaml"
    cfg.write_text(yaml.safe_dump(_config(model_dirs)))
    # relative paths are relative to the config's folder
    for name in ("target", "null", "candidates.csv", "population.csv"):
        (tmp_path / name).symlink_to(model_dirs / name)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["audit", str(cfg), "--out", str(out), "--no-pdf"])
    assert res.exit_code == 0, res.output
    result = LLMAuditResult.model_validate_json((out / "llm_results.json").read_text())
    target, null = result.models
    assert [a.attack for a in target.attacks] == ["loss", "zlib", "min_k", "min_k_plus_plus", "reference", "lira",
                                                  "rmia", "rmia_offline"]
    offline = target.attacks[-1]
    assert str(offline.params["a_source"]).startswith("tuned on reference models")  # 3 offline reference LMs
    assert any("reference-model bank (in-process)" in n for n in result.notes)
    assert target.attacks[0].auc.low > 0.5, target.attacks[0].auc  # the memorised members are found
    assert null.attacks[0].auc.low < 0.5 < null.attacks[0].auc.high, null.attacks[0].auc
    assert result.blind_baseline is not None and not result.blind_baseline.shifted
    canaries = result.canaries[0]  # never inserted: no exposure to speak of, and no rise
    assert [r.repetitions for r in canaries.rows] == [0] and not canaries.rises_with_repetitions
    assert canaries.rows[0].canaries == 2
    assert "Language model" in (out / "report.html").read_text()


def test_config_problems_are_all_reported_up_front(model_dirs: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad-model"
    bad.mkdir()
    (bad / "config.json").write_text(json.dumps({"model_type": "gpt2", "auto_map": {"AutoModel": "x.Y"}}))
    (bad / "pytorch_model.bin").write_bytes(b"not unpickled")
    raw = _config(model_dirs, attacks=["loss", "min_kk"], null_target={"path": str(bad)}, reference={"modles": 2})
    raw["llm"]["texts"] = {"file": "candidates.csv"}  # type: ignore[index]
    with pytest.raises(ConfigError) as schema:
        parse_llm_config(raw, model_dirs)
    text = str(schema.value)
    assert "min_kk" in text and "modles" in text  # schema problems, together
    raw = _config(model_dirs, null_target={"path": str(bad)}, population=None)
    with pytest.raises(ConfigError) as files:
        parse_llm_config(raw, model_dirs)
    text = str(files.value)
    assert "remote code" in text and "pytorch_model.bin" in text and "tokenizer.json" in text
    assert "llm.population" in text  # the reference attack needs texts the attacker knows
    res = CliRunner().invoke(app, ["audit", str(_write(tmp_path, raw, model_dirs)), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "nothing was run" in res.output
    with pytest.raises(ConfigError, match="remote code"):
        load_causal_lm(bad)


def _write(tmp_path: Path, raw: dict[str, object], base: Path) -> Path:
    for name in ("target", "candidates.csv", "population.csv"):
        link = tmp_path / name
        if not link.exists():
            link.symlink_to(base / name)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path
