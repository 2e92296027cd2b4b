"""Model inversion and attribute inference as parts of an audit (``inversion:`` / ``attribute_inference:``).

Class inversion (MI-Face, :mod:`leakpro.attacks.inversion.class_inversion`) is white box: it runs on every
audited PyTorch model whose weights LeakPro holds (the target, the null target, training-side defences) and
on an untrained copy of the target's architecture, the control that shows what the attack produces from a
model that learned nothing. The attacker's public data are the population records (start image: their mean;
box: their range). The challenger judges with an evaluation classifier of another architecture trained on
the members, and with the distance of each reconstruction to the nearest member image of its class.

Attribute inference (:mod:`leakpro.attacks.inversion.attribute_inference`) needs scores; it runs on every
audited model with a scores threat model and compares the attack on members and non-members with imputing
the attribute from the other columns on population data alone.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from leakpro.audit.defences import TargetSetup
from leakpro.config.errors import ConfigIssue
from leakpro.config.schema import AuditConfig
from leakpro.data.dataset import Dataset, take
from leakpro.game.challenger import MembershipGame
from leakpro.game.view import ThreatModel
from leakpro.results.types import AttributeInferenceResult, ClassInversionResult


def _validation_issues(exc: ValidationError, field: str, fix: str) -> list[ConfigIssue]:
    return [ConfigIssue(f"{field}.{'.'.join(str(p) for p in err['loc'])}", err["msg"], fix,
                        repr(err.get("input"))[:60]) for err in exc.errors()]


def check_inversion_sections(config: AuditConfig, dataset: Dataset | None, game: MembershipGame | None,
                             issues: list[ConfigIssue]) -> None:
    """Validate ``inversion:`` and ``attribute_inference:`` before anything trains."""
    if config.inversion is not None:
        _check_inversion(config, dataset, issues)
    if config.attribute_inference is not None:
        _check_attributes(config, dataset, issues)
    for section, need in (("inversion", "public images (start, box and prior)"),
                          ("attribute_inference", "records to fit the imputation baseline on")):
        if getattr(config, section) is not None and game is not None and game.population.size < 2:
            issues.append(ConfigIssue(section, f"needs population records (known non-members) as the attacker's "
                                      f"{need}; the audit has {game.population.size}",
                                      "give data.population, or a data.split with population > 1"))


def _check_inversion(config: AuditConfig, dataset: Dataset | None, issues: list[ConfigIssue]) -> None:
    from leakpro.attacks.inversion.class_inversion import ClassInversionParams
    from leakpro.config.recipe import TorchRecipe

    assert config.inversion is not None
    if config.target.kind != "torch":
        issues.append(ConfigIssue("inversion", f"class inversion needs the model's weights; target.kind is "
                                  f"{config.target.kind!r}", "audit a torch target (white box), or drop inversion"))
    if dataset is not None and (not isinstance(dataset.features, np.ndarray) or dataset.features.ndim != 4):
        shape = getattr(dataset.features, "shape", None)
        issues.append(ConfigIssue("inversion", f"class inversion reconstructs images (N, C, H, W); the data's "
                                  f"features have shape {shape}", "use image data (e.g. builtin digits), or drop "
                                  "inversion; for tables, use attribute_inference"))
    try:
        ClassInversionParams(**config.inversion.params)
    except ValidationError as exc:
        issues += _validation_issues(exc, "inversion.params", "see ClassInversionParams (steps, lr, tv_weight, "
                                     "l2_weight, restarts, noise, bounds)")
    try:
        TorchRecipe.model_validate(config.inversion.evaluation)
    except ValidationError as exc:
        issues += _validation_issues(exc, "inversion.evaluation", "give a torch training recipe")


def _check_attributes(config: AuditConfig, dataset: Dataset | None, issues: list[ConfigIssue]) -> None:
    from leakpro.attacks.inversion.attribute_inference import onehot_attributes, onehot_column

    spec = config.attribute_inference
    assert spec is not None
    if config.threat_model != "scores":
        issues.append(ConfigIssue("attribute_inference", "the attack compares the target's scores for each value",
                                  "use threat_model: scores, or drop attribute_inference"))
    if dataset is None:
        return
    features = dataset.features
    for i, name in enumerate(spec.attributes):
        field = f"attribute_inference.attributes[{i}]"
        if isinstance(features, pd.DataFrame):
            columns = list(features.columns)
            if name not in columns:
                issues.append(ConfigIssue(field, "not a feature column of the data", f"use one of {columns}", name))
            elif features[name].nunique() < 2:
                issues.append(ConfigIssue(field, "takes a single value in the data", "choose another column", name))
        elif onehot_column(dataset.feature_names, name) is None:
            known = onehot_attributes(dataset.feature_names)
            fix = (f"use one of {known}" if known else "name one-hot features 'column=value' (contiguous) so the "
                   "attack can fill in each value, or give the table to a scikit-learn pipeline")
            issues.append(ConfigIssue(field, "not a one-hot encoded categorical attribute of the features", fix, name))


def run_inversion_section(config: AuditConfig, game: MembershipGame, setups: list[TargetSetup],
                          out: Path | None) -> list[ClassInversionResult]:
    """MI-Face on every audited torch model plus an untrained control; PNG grids go to ``out``."""
    import torch

    from leakpro.attacks.inversion.class_inversion import ClassInversion, judge_inversion
    from leakpro.attacks.inversion.grid import save_grid
    from leakpro.config.recipe import TorchRecipe
    from leakpro.targets.torch_target import TorchTarget
    from leakpro.training.torch_train import train_torch

    spec = config.inversion
    assert spec is not None
    ds, seed = game.dataset, config.seed
    members = game.member_indices()
    private_x, private_y = np.asarray(take(ds.features, members)), ds.labels[members]
    public_x, public_y = np.asarray(take(ds.features, game.population)), ds.labels[game.population]
    outside = game.candidates[~game.members]  # drawn like the members, as many: the fair distance comparison
    non_member = (np.asarray(take(ds.features, outside)), ds.labels[outside])
    params = {"bounds": (float(public_x.min()), float(public_x.max())), **spec.params}
    evaluate = train_torch(TorchRecipe.model_validate(spec.evaluation), private_x, private_y, ds.n_classes, seed + 101)
    models: list[tuple[str, torch.nn.Module]] = [
        (s.name, s.target.module) for s in setups if isinstance(s.target, TorchTarget)]
    untrained = _untrained_copy(models[0][1], seed + 202) if models else None
    if untrained is not None:
        models.append(("untrained", untrained))
    start = public_x.mean(axis=0)
    results = []
    attack = ClassInversion(random_state=seed, **params)  # each run re-seeds from random_state
    used = attack.params.model_dump(mode="json")
    for name, module in models:
        images = attack.run(module, ds.n_classes, start.shape, start=start, public=public_x)
        png = None
        if out is not None:
            png = f"inversion-{name}.png"
            save_grid((images - params["bounds"][0]) / max(params["bounds"][1] - params["bounds"][0], 1e-12),
                      out / png, scale=max(1, 224 // max(start.shape[-2:])))
        results.append(judge_inversion(images, evaluate, private_x, private_y, public_x, public_y,
                                       target=name, seed=seed, png=png, non_member=non_member, params=used))
    return results


def _untrained_copy(module: Any, seed: int) -> Any:
    """The same architecture with freshly initialised weights (seeded): the attack's control.

    None when some weight tensor survives the reset (a layer without ``reset_parameters``): a control that
    kept trained weights would understate the gain, so it is left out rather than faked (the results then
    lack the "untrained" entry and the report compares with chance and the null target only).
    """
    import torch

    torch.manual_seed(seed)
    fresh = copy.deepcopy(module)
    for layer in fresh.modules():
        if hasattr(layer, "reset_parameters"):
            layer.reset_parameters()
    for old, new in zip(module.parameters(), fresh.parameters(), strict=True):
        if old.numel() > 1 and torch.equal(old.detach(), new.detach()):
            return None
    return fresh.eval()


def run_attribute_section(config: AuditConfig, game: MembershipGame,
                          setups: list[TargetSetup]) -> list[AttributeInferenceResult]:
    """Every attribute on every audited model with scores; members and non-members against imputation."""
    from leakpro.attacks.inversion.attribute_inference import (
        AttributeCodec,
        FrameCodec,
        OneHotCodec,
        attribute_inference_audit,
        onehot_column,
    )

    spec = config.attribute_inference
    assert spec is not None
    ds = game.dataset
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 0xA771]))
    groups = {"members": game.member_indices(), "non_members": game.candidates[~game.members],
              "population": game.population}
    if spec.records is not None:
        groups = {k: rows if k == "population" else np.sort(rng.permutation(rows)[: spec.records])
                  for k, rows in groups.items()}
    data: dict[str, Any] = {}
    for group, rows in groups.items():
        data[f"{group}_x"], data[f"{group}_y"] = take(ds.features, rows), ds.labels[rows]
    results = []
    for name in spec.attributes:
        codec: AttributeCodec
        if isinstance(ds.features, pd.DataFrame):
            codec = FrameCodec.from_frame(ds.features, name)
        else:
            column = onehot_column(ds.feature_names, name)
            assert column is not None  # checked in the plan
            codec = OneHotCodec(column)
        for setup in setups:
            if setup.threat is not ThreatModel.SCORES:
                continue
            results.append(attribute_inference_audit(setup.target.logits, codec, data, name, config.seed,
                                                     spec.prior, target=setup.name))
    return results
