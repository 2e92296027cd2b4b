"""Defended variants of the target, audited beside it: same members, same attacks, risk and utility side by side.

A training-side defence (L2, dropout, early stopping, label smoothing, DP-SGD) retrains the target with the
changed recipe; the attacker's reference models are trained with the same changed recipe, since a realistic
attacker knows how the published model was trained. An output-side defence (top-k, rounding) wraps the
target's API and is applied to the reference models' outputs too; ``labels_only`` makes the variant's
threat model label-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from leakpro.config.errors import ConfigIssue
from leakpro.config.recipe import TorchRecipe
from leakpro.config.schema import AuditConfig, DefenceSpec
from leakpro.game.view import ReferenceSignals, ThreatModel
from leakpro.targets.output_defence import OutputDefendedTarget, defend_logits
from leakpro.targets.protocol import Target
from leakpro.targets.trainers import TorchTrainer, Trainer

RefSource = Callable[[int], ReferenceSignals]


@dataclass(frozen=True)
class TargetSetup:
    """One model to audit and what its attacker may use."""

    name: str
    role: str
    target: Target
    threat: ThreatModel
    references: RefSource | None
    defence: dict[str, Any] | None = None


def defence_recipe(config: AuditConfig, spec: DefenceSpec) -> TorchRecipe | None:
    """The variant's recipe: target.recipe with the spec's overrides (None when it changes no training)."""
    if not spec.recipe:
        return None
    assert config.target.recipe is not None
    base = config.target.recipe.model_dump(exclude={"kind"})
    params = {**base.get("params", {}), **spec.recipe.get("params", {})}
    return TorchRecipe.model_validate({**base, **spec.recipe, "params": params})


def check_defences(config: AuditConfig, issues: list[ConfigIssue]) -> None:
    """Validate every defence up front (recipe overrides included)."""
    names = [d.name for d in config.defences]
    for i, spec in enumerate(config.defences):
        field = f"defences[{i}]"
        if names.count(spec.name) > 1:
            issues.append(ConfigIssue(f"{field}.name", "used twice", "give each defence its own name", spec.name))
        if spec.name in ("target", "null"):
            issues.append(ConfigIssue(f"{field}.name", "reserved", "choose another name", spec.name))
        if not spec.recipe and spec.output is None:
            issues.append(ConfigIssue(field, "changes nothing", "set recipe overrides and/or an output defence"))
        if spec.recipe and not (config.target.train and config.target.kind == "torch" and config.target.recipe):
            issues.append(ConfigIssue(f"{field}.recipe", "a training-side defence needs LeakPro to train the model",
                                      "use target.train: true with a torch recipe, or only an output defence"))
            continue
        try:
            defence_recipe(config, spec)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                issues.append(ConfigIssue(f"{field}.recipe.{loc}", err["msg"], "see target.recipe's fields",
                                          repr(err.get("input"))[:60]))


def _defended_refs(source: RefSource | None, spec: DefenceSpec) -> RefSource | None:
    if source is None or spec.output is None:
        return source
    output = spec.output

    def refs(k: int) -> ReferenceSignals:
        signals = source(k)
        return ReferenceSignals(defend_logits(signals.logits, output), signals.trained_on)

    return refs


def defence_setups(config: AuditConfig, base: Target, members: tuple[Any, np.ndarray],
                   base_refs: RefSource | None, make_refs: Callable[[Trainer], RefSource],
                   n_classes: int) -> list[TargetSetup]:
    """Train (or wrap) every defended variant; reference sources come from ``make_refs`` per new recipe."""
    setups = []
    for spec in config.defences:
        target, refs = base, base_refs
        recipe = defence_recipe(config, spec)
        if recipe is not None:
            trainer = TorchTrainer(recipe, n_classes)
            target = trainer.fit(members[0], members[1], config.seed)
            refs = make_refs(trainer)
        threat = ThreatModel(config.threat_model)
        if spec.output is not None:
            target = OutputDefendedTarget(target, spec.output)
            if spec.output.labels_only:
                threat = ThreatModel.LABELS
        setups.append(TargetSetup(spec.name, "defence", target, threat, _defended_refs(refs, spec),
                                  spec.model_dump(mode="json")))
    return setups
