"""pydantic's validation errors as config issues (field, problem, fix), and the config without its broken fields.

:func:`schema_issues` turns each error into a :class:`ConfigIssue` that names the field as written in the YAML
(``defences[1].output``), the received value (bounded: never the whole of a large or hostile input) and a fix:
the allowed keys and the likely intended one for an unknown key, the range for a number out of bounds.

:func:`without_broken` removes every field pydantic refused, so the rest of the config can still be checked
in the same pass (the removed fields take their defaults; what depends on them is skipped, see
``leakpro.audit.plan.parse_config``).
"""

from __future__ import annotations

import copy
import reprlib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from leakpro.config.errors import ConfigIssue
from leakpro.config.suggest import did_you_mean

_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlevel = 60, 60, 4, 4, 2
_BOUND_FIX = {"greater_than_equal": "give a value ≥ {ge}", "less_than_equal": "give a value ≤ {le}",
              "greater_than": "give a value > {gt}", "less_than": "give a value < {lt}"}


def format_loc(loc: tuple[Any, ...]) -> str:
    """('defences', 1, 'output') → 'defences[1].output'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def short_repr(value: Any) -> str:
    """A bounded repr for error messages: never the whole of a large (or hostile) input."""
    return _SHORT.repr(value)


def schema_issues(exc: ValidationError, model: type[BaseModel]) -> list[ConfigIssue]:
    """One issue per pydantic error of validating a config against ``model``."""
    issues = []
    for err in exc.errors():
        loc = format_loc(err["loc"])
        if err["type"] == "extra_forbidden":
            allowed = allowed_fields(model, err["loc"][:-1])
            close = did_you_mean(str(err["loc"][-1]), allowed)
            fix = "remove it" + (f"; did you mean {close!r}?" if close else "") + f" Allowed here: {allowed}"
            issues.append(ConfigIssue(loc, "unknown key", fix, str(err["loc"][-1])))
        elif err["type"] == "missing":
            issues.append(ConfigIssue(loc, "required but missing", "add it (see the README's example config)"))
        else:
            fix = _BOUND_FIX.get(err["type"], "see the README's config reference").format(**err.get("ctx", {}))
            if err["type"].startswith(("int_", "float_", "finite_number")):
                fix = _range_fix(model, err["loc"]) or fix
            issues.append(ConfigIssue(loc or "config", err["msg"], fix, short_repr(err.get("input"))))
    return issues


def _range_fix(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """'give a whole number from 0 to 2147483647' for a number field with bounds, else None."""
    owner = _fields_model(model, loc[:-1])
    spec = getattr(owner, "model_fields", {}).get(loc[-1]) if owner is not None else None
    if spec is None:
        return None
    bounds = {k: getattr(m, k) for m in spec.metadata for k in ("ge", "gt", "le", "lt") if hasattr(m, k)}
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    kind = "a whole number" if spec.annotation is int or "int" in str(spec.annotation) else "a number"
    if low is not None and high is not None:
        return f"give {kind} from {low} to {high}"
    if low is not None:
        return f"give {kind} ≥ {low}"
    return f"give {kind}" if high is None else f"give {kind} ≤ {high}"


def allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the mapping at ``loc`` (empty when ``loc`` leaves the models)."""
    current = _fields_model(model, loc)
    return list(getattr(current, "model_fields", {})) if current is not None else []


def _fields_model(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the fields at ``loc`` (None when ``loc`` leaves the models)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        spec = getattr(current, "model_fields", {}).get(part)
        if spec is None:
            return None
        ann = spec.annotation
        args = list(getattr(ann, "__args__", (ann,)))
        args += [inner for a in args for inner in getattr(a, "__args__", ())]  # list[Model], Model | None
        candidates = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            return None
        current = candidates[0]
    return current if isinstance(current, type) else None


@dataclass(frozen=True)
class Repair:
    """A config with the fields pydantic refused removed, and what was removed."""

    config: dict[str, Any]
    removed: tuple[str, ...]  # dotted fields, e.g. 'data.lable', 'attacks', 'seed'
    meant: dict[str, str] = field(default_factory=dict)  # an unknown key → the field it likely misspells


def without_broken(raw: dict[str, Any], exc: ValidationError, model: type[BaseModel]) -> Repair:
    """``raw`` without each refused field: the deepest key of the error's location that the config holds.

    An unknown key goes; so does a value of the wrong type or out of range (its default takes its place);
    a list item's error removes the whole list (its positions name fields in later messages). A missing
    required field removes nothing: the caller finds the config still invalid.
    """
    fixed = copy.deepcopy(raw)
    removed, meant = [], {}
    for err in exc.errors():
        if err["type"] == "missing":
            continue
        path: list[str] = []
        parent: dict[str, Any] | None = None
        node: Any = fixed
        for part in err["loc"]:
            if not (isinstance(node, dict) and isinstance(part, str) and part in node):
                break
            path.append(part)
            parent, node = node, node[part]
        if parent is None:  # already removed with an earlier field
            continue
        del parent[path[-1]]
        dotted = ".".join(path)
        removed.append(dotted)
        if err["type"] == "extra_forbidden" and len(path) == len(err["loc"]):
            close = did_you_mean(path[-1], allowed_fields(model, tuple(path[:-1])))
            if close is not None:
                meant[dotted] = ".".join([*path[:-1], close])
    return Repair(fixed, tuple(dict.fromkeys(removed)), meant)
