"""Resolve the config's ``attacks`` into attack instances, with every problem reported at once."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from leakpro.attacks.membership.base import MembershipAttack, registered_attacks
from leakpro.config.errors import ConfigIssue
from leakpro.config.schema import MAX_REFERENCE_MODELS
from leakpro.game.view import ThreatModel

# The suite run for ``attacks: all``: every registered attack, with these variants where it has modes.
VARIANTS: dict[str, tuple[dict[str, Any], ...]] = {
    "lira": ({"mode": "online"}, {"mode": "offline"}),
    "rmia": ({"mode": "online"}, {"mode": "offline"}),
}


# Display order for ``all``: baselines first, then reference-model attacks, then label-only ones.
ORDER = ("loss", "population", "qmia", "shadow", "reference", "lira", "rmia",
         "gap", "label_only_augmentation", "label_only_boundary")


@dataclass(frozen=True)
class AttackSpec:
    id: str
    attack: MembershipAttack
    field: str = ""  # where the config names it, e.g. 'attacks[2].rmia' (for error messages)


def population_needed(attack: MembershipAttack) -> int:
    """Population records (known non-members) ``attack.run`` needs; 0 when it needs none.

    The population attack and RMIA compare each candidate with population records; QMIA fits its quantile
    regressors on them, 10 per cross-fitting fold.
    """
    declared = getattr(attack, "population_needed", None)
    if isinstance(declared, int):
        return declared
    if attack.name in ("population", "rmia"):
        return 1
    if attack.name == "qmia":
        return 10 * int(getattr(attack.params, "folds", 3))
    return 0


def _instantiate(name: str, params: dict[str, Any], field: str, seed: int,
                 issues: list[ConfigIssue]) -> MembershipAttack | None:
    cls = registered_attacks()[name]
    try:
        return cls(random_state=seed, **params)
    except ValidationError as exc:
        allowed = list(cls.Params.model_fields)
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            where = f"{field}.{loc}" if loc else field
            if err["type"] == "extra_forbidden":
                close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
                fix = f"remove it; {name} takes {allowed}" + (f" (did you mean {close[0]!r}?)" if close else "")
                issues.append(ConfigIssue(where, "unknown attack parameter", fix, str(err["loc"][-1])))
            else:
                issues.append(ConfigIssue(where, err["msg"], f"see `leakpro attacks` for {name}'s parameters",
                                          repr(err.get("input"))))
        return None


def _parse_item(item: Any, i: int, issues: list[ConfigIssue]) -> tuple[str, dict[str, Any]] | None:
    if isinstance(item, str):
        return item, {}
    if isinstance(item, dict) and len(item) == 1:
        name, params = next(iter(item.items()))
        if params is None:
            return str(name), {}
        if isinstance(params, dict):
            return str(name), dict(params)
    issues.append(ConfigIssue(f"attacks[{i}]", "an attack is a name or {name: {parameters}}",
                              "write e.g. '- rmia: {reference_models: 8}'", repr(item)))
    return None


def resolve_attacks(attacks: Any, threat_model: ThreatModel, seed: int, issues: list[ConfigIssue],
                    reference_models: int | None = None) -> list[AttackSpec]:
    """Attack instances for the config's ``attacks``; ``reference_models`` is the default for every
    attack that takes reference models and does not set its own number."""
    known = registered_attacks()
    if attacks == "all":
        items: list[tuple[str, dict[str, Any]]] = [
            (n, v)
            for n, cls in sorted(known.items(), key=lambda kv: (*ORDER, kv[0]).index(kv[0]))
            if threat_model in cls.threat_models
            for v in VARIANTS.get(n, ({},))
        ]
        explicit = False
    else:
        parsed = [_parse_item(item, i, issues) for i, item in enumerate(attacks)]
        items = [p for p in parsed if p is not None]
        explicit = True
        if not attacks:
            issues.append(ConfigIssue("attacks", "no attack chosen", "list attacks or write 'all'"))
    specs: list[AttackSpec] = []
    for i, (name, params) in enumerate(items):
        field = f"attacks[{i}].{name}" if explicit else f"attacks(all).{name}"
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            issues.append(ConfigIssue(field, "unknown attack",
                                      (f"did you mean {close[0]!r}? " if close else "") +
                                      f"Known: {', '.join(known)}", name))
            continue
        if threat_model not in known[name].threat_models:
            issues.append(ConfigIssue(field, f"needs the 'scores' threat model, the config says {threat_model.value!r}",
                                      "remove it, or audit with threat_model: scores", name))
            continue
        if reference_models is not None and "reference_models" in known[name].Params.model_fields:
            params = {"reference_models": reference_models, **params}
        attack = _instantiate(name, params, field, seed, issues)
        if attack is not None and attack.reference_models_needed() > MAX_REFERENCE_MODELS:
            issues.append(ConfigIssue(f"{field}.reference_models", f"more than {MAX_REFERENCE_MODELS:,} reference "
                                      "models", f"use at most {MAX_REFERENCE_MODELS:,} (LiRA's paper uses up to 256)",
                                      str(attack.reference_models_needed())))
            attack = None
        if attack is not None:
            suffix = "-".join(str(v) for k, v in sorted(params.items()) if k == "mode")
            specs.append(AttackSpec(f"{name}-{suffix}" if suffix else name, attack, field))
    seen: dict[str, int] = {}
    unique = []
    for s in specs:
        seen[s.id] = seen.get(s.id, 0) + 1
        unique.append(AttackSpec(s.id if seen[s.id] == 1 else f"{s.id}-{seen[s.id]}", s.attack, s.field))
    return unique
