"""Same seed, same config → identical numbers; a re-run resumes from the reference-model cache.

The three tests share one first run (seed 6, a fresh cache): the same-seed test runs it again without a cache,
the resume tests re-run it from copies of its cache. The quick demo's config on a smaller split (600 candidates):
what is checked here is bit-for-bit equality and cache use, which do not depend on the split's size.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from leakpro.audit.runner import run_audit
from leakpro.commands.demo import demo_config

SMALL = {"data": {"builtin": "adult", "split": {"candidates": 600, "population": 300}},
         "attacks": ["loss", {"rmia": {"reference_models": 2}}, {"lira": {"reference_models": 2}}]}


def _numbers(path) -> dict:
    data = json.loads((path / "results.json").read_text())
    for key in ("created", "stage_runtime_s", "reference_models"):
        data.pop(key)
    for target in data["targets"]:
        for attack in target["attacks"]:
            attack.pop("runtime_s")
    return data


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The audit run once, training everything, with its reference models cached in ``cache``."""
    base = tmp_path_factory.mktemp("first-run")
    cfg = {**demo_config(seed=6, quick=True), **SMALL}
    first = run_audit(copy.deepcopy(cfg), out=base / "a", cache_dir=base / "cache")
    assert first.reference_models is not None and first.reference_models.from_cache == 0
    return cfg, base


def _cache_copy(base: Path, tmp_path: Path) -> Path:
    shutil.copytree(base / "cache", tmp_path / "cache")
    return tmp_path / "cache"


def test_same_seed_identical_numbers(first_run, tmp_path):
    cfg, base = first_run
    again = run_audit(copy.deepcopy(cfg), out=tmp_path / "b")  # its own empty cache: everything trained again
    assert again.reference_models is not None and again.reference_models.from_cache == 0
    assert _numbers(base / "a") == _numbers(tmp_path / "b")
    scores = [(d / "scores" / "target.csv").read_text() for d in (base / "a", tmp_path / "b")]
    assert scores[0] == scores[1]


def test_rerun_resumes_from_cache_with_identical_results(first_run, tmp_path):
    cfg, base = first_run
    cache = _cache_copy(base, tmp_path)
    # a killed run leaves some cache entries: drop one and re-run
    entries = sorted((cache / "cache" / "reference").glob("*.npz"))
    assert len(entries) == 2
    entries[0].unlink()
    second = run_audit(copy.deepcopy(cfg), out=tmp_path / "b", cache_dir=cache)
    assert second.reference_models is not None
    assert (second.reference_models.from_cache, second.reference_models.trained) == (1, 1)
    assert _numbers(base / "a") == _numbers(tmp_path / "b")


def test_cache_key_changes_with_recipe(first_run, tmp_path):
    cfg, base = first_run
    cache = _cache_copy(base, tmp_path)
    cfg = copy.deepcopy(cfg)
    cfg["target"]["recipe"]["epochs"] = 3
    again = run_audit(cfg, out=tmp_path / "b", cache_dir=cache)
    assert again.reference_models is not None and again.reference_models.from_cache == 0
