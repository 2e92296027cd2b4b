"""The membership attack contract and its registry.

An attack is a small object: the constructor stores validated, keyword-only settings (a pydantic
``Params`` model, unknown parameters rejected) and a ``random_state``; ``run(view)`` returns one score per
candidate, higher = more likely member. It never sees the membership labels; the challenger scores.
"""

from __future__ import annotations

import difflib
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.attacks.scores import checked_scores
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.registry import Registry


class AttackParams(BaseModel):
    """Base for attack parameters: frozen, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MembershipAttack:
    """One abstract layer: subclasses set the class attributes and implement ``scores``."""

    name: ClassVar[str]
    title: ClassVar[str]
    paper: ClassVar[str]
    threat_models: ClassVar[frozenset[ThreatModel]]
    Params: ClassVar[type[AttackParams]] = AttackParams
    # A simpler registered attack this one must beat to be worth its cost (e.g. label-only attacks: ``gap``);
    # the audit compares their AUCs on the same records and the report says when it does not.
    baseline: ClassVar[str | None] = None

    def __init__(self, *, random_state: int = 0, **params: Any) -> None:
        self.params = self.Params(**params)
        self.random_state = random_state

    def reference_models_needed(self) -> int:
        """How many reference models ``run`` will ask for (0 for none)."""
        return int(getattr(self.params, "reference_models", 0))

    def run(self, view: AttackerView) -> np.ndarray:
        if view.threat_model not in self.threat_models:
            raise ValueError(
                f"attack {self.name!r} needs threat model {sorted(t.value for t in self.threat_models)}, "
                f"the audit allows {view.threat_model.value!r}"
            )
        return checked_scores(self.name, self.scores(view), view.n_candidates)

    def scores(self, view: AttackerView) -> np.ndarray:
        raise NotImplementedError


_REGISTRY: Registry[type[MembershipAttack]] = Registry("attack")


def register_attack(cls: type[MembershipAttack]) -> type[MembershipAttack]:
    """Register a membership attack by its ``name``, and its card in the catalogue of every attack."""
    _REGISTRY.add(cls.name, cls)
    register_card(AttackCard(family="membership", name=cls.name, title=cls.title, paper=cls.paper,
                             threat_model=", ".join(sorted(t.value for t in cls.threat_models)), params=cls.Params))
    return cls


def registered_attacks() -> dict[str, type[MembershipAttack]]:
    import leakpro.attacks.membership  # noqa: F401  (modules register on import)

    return _REGISTRY.items()


def get_attack(name: str) -> type[MembershipAttack]:
    attacks = registered_attacks()
    if name not in attacks:
        close = difflib.get_close_matches(name, attacks, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"unknown attack {name!r}{hint} Known attacks: {', '.join(attacks)}")
    return attacks[name]


def reference_split(view: AttackerView, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(k, R) float64 logit margins φ of the reference models, and their (k, R) trained-on masks."""
    from leakpro.signals.math import logit_margin

    ref = view.reference(k)
    return logit_margin(ref.logits, view.labels), ref.trained_on
