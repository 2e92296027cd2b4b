"""The visual face demo of ``leakpro demo --inversion``: an audit of a face detector trained on LFW crops.

It is an ordinary audit (``faces_config`` is what a user would write in YAML): LeakPro trains a small CNN on
half of 100 candidate crops of scikit-image's ``lfw_subset`` (faces and non-faces), a null target on 50
other crops, then runs membership attacks and white-box class inversion, and renders the report (with the
inverted images) into ``out/faces``. Needs the optional extra ``pip install leakpro[faces]``.

The inversion searches the span of the 8 top principal components of the attacker's 50 public crops (the
``pca`` prior, a prior learned from public data), with a pull of 0.01 on the whitened latent, lr 0.05, 300
steps and 8 restarts from seeded latents. These were chosen by looking at the reconstructions of the *null
target* (the model trained on 50 crops that are neither members nor candidates) for 8 and 16 components;
the pixel search with total variation gave no readable face on any setting tried. No member image, member
label or member model entered the choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leakpro.results.types import AuditResult


def faces_config(seed: int = 0, reference_models: int = 8) -> dict[str, Any]:
    """200 crops: 100 candidates (50 members), 50 population (the attacker's public data), 50 for the null.

    ``reference_models`` serve the membership attacks only (the inversion does not use them); the tests pass
    fewer to save time."""
    return {
        "name": "lfw-face-detector",
        "seed": seed,
        "data": {"builtin": "lfw_subset", "split": {"candidates": 100, "population": 50, "null_train": 50}},
        "target": {"kind": "torch", "train": True,
                   "recipe": {"model": "cnn", "params": {"width": 16, "hidden": 64}, "epochs": 60,
                              "batch_size": 16, "lr": 3e-3}},
        "attacks": [{"rmia": {"mode": "online"}}, {"lira": {"mode": "online"}}, "loss"],
        "reference": {"models": reference_models},
        "null_target": True,
        "inversion": {"params": {"prior": "pca", "components": 8, "l2_weight": 0.01, "tv_weight": 0.0, "lr": 0.05,
                                 "steps": 300, "noise": 1.0, "restarts": 8}},
    }


def faces_available() -> bool:
    """Whether scikit-image (which bundles the LFW crops) is installed."""
    import importlib.util

    return importlib.util.find_spec("skimage") is not None


def run_faces_demo(
    out: Path, seed: int = 0, console: Any = None, pdf: bool = True, reference_models: int = 8
) -> AuditResult | None:
    """Run the face audit into ``out`` and render its report; None (and a hint) without scikit-image."""
    if not faces_available():
        if console is not None:
            console.print("Face inversion demo skipped: it needs scikit-image, which bundles the LFW crops; "
                          "fix: pip install 'leakpro\\[faces]'")  # \\[: not rich markup
        return None
    import torch

    from leakpro.audit.runner import run_audit
    from leakpro.report import render_report, report_or_explain

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        result = run_audit(faces_config(seed, reference_models), out=out)
    finally:
        torch.set_num_threads(previous)
    if console is not None:
        for r in result.inversion:
            acc = r.attack_accuracy
            console.print(f"faces · class inversion of the {r.target} model: evaluation accuracy {acc.value:.2f} "
                          f"[{acc.low:.2f}, {acc.high:.2f}] vs chance {r.chance:.2f}; images: {out / (r.png or '')}")
        report_or_explain(lambda: render_report(out / "results.json", out, pdf=pdf), out / "results.json", console)
    return result
