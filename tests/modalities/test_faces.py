"""Faces (scikit-image's LFW subset): the visual inversion demo is an ordinary audit with its own report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

pytest.importorskip("skimage", reason="the faces dataset needs the optional extra: pip install 'leakpro[faces]'")

from leakpro.commands import faces_demo
from leakpro.data.registry import builtin_datasets
from leakpro.results.types import AuditResult


@pytest.fixture(scope="module")
def faces_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditResult, Path, str]:
    out = tmp_path_factory.mktemp("faces")
    console = Console(record=True, width=200)
    # 2 reference models instead of the demo's 8: they serve only the membership attacks, which this file does
    # not check (the inversion, which it checks, does not use them)
    result = faces_demo.run_faces_demo(out, seed=0, console=console, pdf=False, reference_models=2)
    assert result is not None
    return result, out, console.export_text()


def test_registered_with_licence_and_two_classes():
    entry = builtin_datasets()["lfw_subset"]
    assert "LFW" in entry.licence and "scikit-image" in entry.licence
    ds = entry.load()
    assert ds.features.shape == (200, 1, 25, 25) and ds.features.dtype == np.float32
    assert ds.features.min() >= 0.0 and ds.features.max() <= 1.0
    assert ds.classes == ("non_face", "face") and ds.labels[:100].tolist() == [1] * 100 and ds.labels[100:].sum() == 0


def test_face_detector_reveals_its_classes_untrained_control_does_not(faces_run):
    result, out, _ = faces_run
    roles = {r.target: r for r in result.inversion}
    assert set(roles) == {"target", "null", "untrained"}
    target, untrained = roles["target"], roles["untrained"]
    assert target.evaluator_accuracy > 0.75 and target.chance == 0.5
    assert target.attack_accuracy.low > 0.5, target.attack_accuracy
    assert untrained.attack_accuracy.low <= 0.5, untrained.attack_accuracy
    assert all((out / r.png).stat().st_size > 0 for r in result.inversion if r.png)


def test_demo_writes_the_report_and_says_where(faces_run):
    _, out, printed = faces_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Class inversion" in html and "Untrained model (control)" in html
    assert "prior=pca" in html and "components=8" in html  # the attack's parameters are in the report
    assert "class inversion of the target model" in printed and "report.html" in printed


def test_without_scikit_image_the_demo_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(faces_demo, "faces_available", lambda: False)
    console = Console(record=True, width=200)
    assert faces_demo.run_faces_demo(tmp_path, console=console) is None
    assert "pip install 'leakpro[faces]'" in console.export_text()
