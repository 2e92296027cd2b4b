"""Same seed, same config → identical numbers; a re-run resumes from the reference-model cache."""

from __future__ import annotations

import json

from leakpro.audit.runner import run_audit
from leakpro.commands.demo import demo_config

SMALL = {"attacks": ["loss", {"rmia": {"reference_models": 2}}, {"lira": {"reference_models": 2}}]}


def _numbers(path) -> dict:
    data = json.loads((path / "results.json").read_text())
    for key in ("created", "stage_runtime_s", "reference_models"):
        data.pop(key)
    for target in data["targets"]:
        for attack in target["attacks"]:
            attack.pop("runtime_s")
    return data


def test_same_seed_identical_numbers(tmp_path):
    cfg = {**demo_config(seed=5, quick=True), **SMALL}
    run_audit(cfg, out=tmp_path / "a")
    run_audit(cfg, out=tmp_path / "b")
    assert _numbers(tmp_path / "a") == _numbers(tmp_path / "b")
    scores = [(tmp_path / d / "scores" / "target.csv").read_text() for d in ("a", "b")]
    assert scores[0] == scores[1]


def test_rerun_resumes_from_cache_with_identical_results(tmp_path):
    cfg = {**demo_config(seed=6, quick=True), **SMALL}
    first = run_audit(cfg, out=tmp_path / "a", cache_dir=tmp_path / "cache")
    assert first.reference_models is not None and first.reference_models.from_cache == 0
    # a killed run leaves some cache entries: drop one and re-run
    entries = sorted((tmp_path / "cache" / "cache" / "reference").glob("*.npz"))
    assert len(entries) == 2
    entries[0].unlink()
    second = run_audit(cfg, out=tmp_path / "b", cache_dir=tmp_path / "cache")
    assert second.reference_models is not None
    assert (second.reference_models.from_cache, second.reference_models.trained) == (1, 1)
    assert _numbers(tmp_path / "a") == _numbers(tmp_path / "b")


def test_cache_key_changes_with_recipe(tmp_path):
    cfg = {**demo_config(seed=6, quick=True), **SMALL}
    run_audit(cfg, out=tmp_path / "a", cache_dir=tmp_path / "cache")
    cfg["target"]["recipe"]["epochs"] = 3
    again = run_audit(cfg, out=tmp_path / "b", cache_dir=tmp_path / "cache")
    assert again.reference_models is not None and again.reference_models.from_cache == 0
