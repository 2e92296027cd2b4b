"""Page one for a user's own model: why "what no leakage looks like" is empty, and a title that says which audit
this is (issue 15, item 9)."""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from leakpro.report import render_html
from leakpro.report.inputs import load_inputs


def _variant(results_dir: Path, out: Path, *, null: bool = True, **config: Any) -> str:
    """Page one (text) of the planted report, its config changed by ``config``, without the null target if asked."""
    for item in results_dir.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy)(item, out / item.name)
    raw = json.loads((out / "results.json").read_text(encoding="utf-8"))
    raw["config"].update(config)
    if not null:
        raw["targets"] = [t for t in raw["targets"] if t["role"] != "null"]
    (out / "results.json").write_text(json.dumps(raw), encoding="utf-8")
    page = render_html(load_inputs(out / "results.json", frame_provider=None))
    first = page.split('<nav class="toc')[0]
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", first)))


def _control_cell(page_one: str) -> str:
    row = page_one.split("Membership: can an attacker tell who was in the training data?")[1]
    return row.split("Reconstruction")[0]


def test_a_supplied_model_says_why_there_is_no_null_control(results_dir: Path, tmp_path: Path) -> None:
    cell = _control_cell(_variant(results_dir, tmp_path, null=False, target={"kind": "sklearn", "train": False}))
    assert "No null control: this model was supplied, not trained by LeakPro" in cell
    assert "target.train: true with null_target: true" in cell and "AUC 0.5" in cell


def test_a_trained_model_without_null_target_says_how_to_get_one(results_dir: Path, tmp_path: Path) -> None:
    cell = _control_cell(_variant(results_dir, tmp_path, null=False, target={"kind": "torch", "train": True}))
    assert "No null control was trained in this audit: add null_target: true" in cell


def test_with_a_null_control_its_level_is_shown(results_dir: Path, tmp_path: Path) -> None:
    cell = _control_cell(_variant(results_dir, tmp_path, target={"kind": "torch", "train": True}))
    assert cell.strip().startswith("High (High – Very high)") and "Low: AUC" in cell and "No null control" not in cell


def test_the_title_is_the_config_name_else_model_and_data(results_dir: Path, tmp_path: Path) -> None:
    for sub in ("named", "default"):
        (tmp_path / sub).mkdir()
    named = _variant(results_dir, tmp_path / "named", name="patients-rf-2025")
    assert "2026-01-02 patients-rf-2025 Overall" in named
    default = _variant(results_dir, tmp_path / "default", name="audit")  # the config's default name
    assert "2026-01-02 planted target on adult Overall" in default
