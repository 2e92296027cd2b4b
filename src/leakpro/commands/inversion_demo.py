"""Faces of the inversion package for ``leakpro demo --inversion``: class inversion on digits, attribute inference
on Adult, and the report of both.

``run_inversion_demo(out, seed, console)`` trains a CNN on half of scikit-learn's digits (the private data), an
evaluation classifier of another architecture (an MLP) on the same private data, a null CNN on the public half
and an untrained CNN as the control; runs MI-Face on the three CNNs from the public mean image; writes one PNG
grid per model and ``inversion.json`` under ``out``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from leakpro.attacks.inversion.class_inversion import ClassInversion, judge_inversion
from leakpro.attacks.inversion.grid import save_grid
from leakpro.attacks.inversion.results import ClassInversionResult


def _digits_split(seed: int) -> dict[str, np.ndarray]:
    from leakpro.data.images import load_digits_dataset

    ds = load_digits_dataset()
    perm = np.random.default_rng(np.random.SeedSequence([seed, 0x1A7])).permutation(len(ds))
    half = len(ds) // 2
    x, y = np.asarray(ds.features), ds.labels
    return {"private_x": x[perm[:half]], "private_y": y[perm[:half]],
            "public_x": x[perm[half:]], "public_y": y[perm[half:]]}


def _models(data: dict[str, np.ndarray], seed: int) -> dict[str, nn.Module]:
    from leakpro.config.recipe import TorchRecipe
    from leakpro.training.models import build_model
    from leakpro.training.torch_train import train_torch

    x, y = data["private_x"], data["private_y"]
    cnn = TorchRecipe.model_validate(
        {"model": "cnn", "params": {"width": 16, "hidden": 64}, "epochs": 30, "batch_size": 32, "lr": 3e-3})
    mlp = TorchRecipe.model_validate({"model": "mlp", "params": {"hidden": [256]}, "epochs": 60, "batch_size": 32})
    target = train_torch(cnn, x, y, 10, seed)
    evaluate = train_torch(mlp, x, y, 10, seed + 101)  # another architecture and seed, same private data
    torch.manual_seed(seed + 202)
    untrained = build_model("cnn", {"width": 16, "hidden": 64}, int(np.prod(x.shape[1:])), 10).eval()
    null = train_torch(cnn, data["public_x"], data["public_y"], 10, seed + 303)  # never saw the private half
    return {"target": target, "null": null, "untrained": untrained, "evaluate": evaluate}


def run_class_inversion(out: Path | None, seed: int = 0, **params: Any) -> list[ClassInversionResult]:
    """MI-Face on the digits target, a null CNN trained on the public half, and an untrained CNN (the control)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        data = _digits_split(seed)
        models = _models(data, seed)
        start = data["public_x"].mean(axis=0)
        results = []
        attack = ClassInversion(random_state=seed, **params)  # each run re-seeds from random_state
        used = attack.params.model_dump(mode="json")
        for role in ("target", "null", "untrained"):
            images = attack.run(models[role], 10, start.shape, start=start, public=data["public_x"])
            png = None
            if out is not None:
                png = f"inversion-{role}.png"
                save_grid(images, out / png)
            results.append(judge_inversion(
                images, models["evaluate"], data["private_x"], data["private_y"], data["public_x"],
                data["public_y"], target=role, seed=seed, png=png,
                non_member=(data["public_x"], data["public_y"]), params=used))  # public half: as many, alike
        return results
    finally:
        torch.set_num_threads(previous)


def run_inversion_demo(out: Path, seed: int = 0, console: Any = None) -> list[ClassInversionResult]:
    """The demo face: run, write ``inversion.json`` and PNGs under ``out``, print a short summary."""
    out.mkdir(parents=True, exist_ok=True)
    results = run_class_inversion(out, seed)
    (out / "inversion.json").write_text(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
    if console is not None:
        for r in results:
            acc = r.attack_accuracy
            verdict = "reveals its classes" if r.above_chance else "no better than chance"
            console.print(f"class inversion of the {r.target} model: evaluation accuracy {acc.value:.2f} "
                          f"[{acc.low:.2f}, {acc.high:.2f}] vs chance {r.chance:.2f} — {verdict}; "
                          f"images: {out / (r.png or '')}")
    return results


def write_inversion_report(out: Path, console: Any) -> bool:
    """Render report.html and report.pdf into ``out`` from its inversion results; say so, or say why not (False).

    Mirrors :func:`leakpro.commands.federated.write_federated_report`: a report that cannot be rendered does not lose
    the results (``inversion.json``, ``attribute_inference.json`` stay in ``out``). WeasyPrint's refusal of a
    non-``data:`` URL derives from BaseException, hence the broad catch; an interrupt or exit is passed on.
    """
    from leakpro.report import render_report_dir, report_or_explain

    return report_or_explain(lambda: render_report_dir(out, pdf=True), out, console)


ADULT_ATTRIBUTES = ("marital_status", "relationship", "race", "sex")


def _adult_split(seed: int, n: int) -> tuple[Any, dict[str, np.ndarray], np.ndarray]:
    from leakpro.data.federated import load_adult_tabular

    data = load_adult_tabular("train")
    x, y = data.x.numpy(), data.y.numpy()
    perm = np.random.default_rng(np.random.SeedSequence([seed, 0xA77])).permutation(len(y))
    parts = {"members": perm[:n], "non_members": perm[n:2 * n], "population": perm[2 * n:6 * n]}
    split = {f"{k}_{axis}": (x if axis == "x" else y)[rows] for k, rows in parts.items() for axis in ("x", "y")}
    return data.schema, split, perm[6 * n:7 * n]


def run_attribute_inference(seed: int = 0, n: int = 1000, attributes: tuple[str, ...] = ADULT_ATTRIBUTES,
                            epochs: int = 60, prior: Any = "imputation") -> dict[str, list[Any]]:
    """Overfit an Adult MLP on ``n`` members; infer each attribute for it and for a null MLP on other rows."""
    from leakpro.attacks.inversion.attribute_inference import attribute_inference_audit
    from leakpro.config.recipe import TorchRecipe
    from leakpro.targets.torch_target import TorchTarget
    from leakpro.training.torch_train import train_torch

    schema, split, null_rows = _adult_split(seed, n)
    recipe = TorchRecipe.model_validate(
        {"model": "mlp", "params": {"hidden": [256, 256]}, "epochs": epochs, "batch_size": 64})
    from leakpro.data.federated import load_adult_tabular

    full = load_adult_tabular("train")
    models = {
        "target": train_torch(recipe, split["members_x"], split["members_y"], 2, seed),
        "null": train_torch(recipe, full.x.numpy()[null_rows], full.y.numpy()[null_rows], 2, seed + 1),
    }
    out: dict[str, list[Any]] = {}
    for role, module in models.items():
        target = TorchTarget(module, 2)
        out[role] = [attribute_inference_audit(target.logits, schema, split, a, seed, prior, target=role)
                     for a in attributes]
    return out


def run_attribute_inference_demo(out: Path, seed: int = 0, console: Any = None) -> dict[str, list[Any]]:
    """The demo face: which Adult attributes an overfit MLP reveals beyond imputation; writes JSON."""
    out.mkdir(parents=True, exist_ok=True)
    results = run_attribute_inference(seed)
    (out / "attribute_inference.json").write_text(json.dumps(
        {role: [r.model_dump(mode="json") for r in rs] for role, rs in results.items()}, indent=2))
    if console is not None:
        for role, rs in results.items():
            for r in rs:
                verdict = "leaks beyond imputation" if r.leaks_beyond_imputation else "no more than imputation"
                console.print(f"{role} · {r.attribute}: members {r.members.value:.3f} (learned "
                              f"{r.learned_members.value:.3f}, imputation {r.baseline_members.value:.3f}), "
                              f"non-members {r.non_members.value:.3f} (learned {r.learned_non_members.value:.3f}, "
                              f"imputation {r.baseline_non_members.value:.3f}) — {verdict}")
    return results
