"""The catalogue of every attack of every family: what it asks, what the attacker sees, its paper, its parameters.

Each family registers one :class:`AttackCard` per attack where the attack is defined (membership and federated
attacks through their own ``register_*``, which adds the card), so ``leakpro attacks`` lists from one
registry. A new attack calls :func:`register_card` beside its class (e.g. a white-box DP-SGD canary audit:
``family="DP auditing"``) and, if no module already listed there imports it, adds its module to
:func:`leakpro.commands.catalogue.every_attack`; a new family also adds its name and question to :data:`FAMILIES`.

>>> card = AttackCard(family="membership", name="loss", title="LOSS", threat_model="scores",
...                   paper="Yeom et al. 2018")
>>> card.question == FAMILIES["membership"]
True
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from leakpro.registry import Registry

FAMILIES: dict[str, str] = {
    "membership": "was record x in the training data?",
    "model inversion": "what do the training records look like, or what is a person's hidden attribute?",
    "gradient inversion": "in federated learning, what data produced this client update?",
    "federated membership": "in federated learning, was record x in another client's data?",
    "synthetic data": "does this synthetic table expose the real people it was made from?",
    "model extraction": "can the prediction API be stolen as a working copy?",
    "property inference": "what fraction of the training data has property P?",
    "DP auditing": "how much privacy (an ε lower bound) does the training recipe actually give?",
    "language-model membership": "was this text in the language model's training data?",
}
"""Every family, in the order ``leakpro attacks`` shows them, with the question its attacks answer."""


@dataclass(frozen=True)
class AttackCard:
    """One attack as the catalogue lists it.

    ``params`` is its pydantic settings model, or the class or function that takes its settings as keyword
    arguments; :meth:`parameters` reads the defaults from either.
    """

    family: str
    name: str
    title: str
    threat_model: str
    paper: str
    params: type[BaseModel] | Callable[..., Any] | None = None
    question: str = field(default="")

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"attack {self.name!r}: unknown family {self.family!r}; known: {list(FAMILIES)}")
        if not self.question:
            object.__setattr__(self, "question", FAMILIES[self.family])

    @property
    def key(self) -> str:
        """Unique across families: ``family/name``."""
        return f"{self.family}/{self.name}"

    def parameters(self) -> dict[str, Any]:
        """Each parameter's default (``...`` for a required one), in declaration order."""
        if self.params is None:
            return {}
        if isinstance(self.params, type) and issubclass(self.params, BaseModel):
            return {k: (... if f.is_required() else f.get_default(call_default_factory=True))
                    for k, f in self.params.model_fields.items()}
        return {name: (... if p.default is p.empty else p.default)
                for name, p in inspect.signature(self.params).parameters.items()
                if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and name != "random_state"}


ATTACKS: Registry[AttackCard] = Registry("attack card")


def register_card(card: AttackCard) -> AttackCard:
    """Add ``card`` to the catalogue (``family/name`` registered twice is an error)."""
    return ATTACKS.add(card.key, card)


def cards() -> list[AttackCard]:
    """Every registered card, family by family (in :data:`FAMILIES` order), then by name."""
    order = list(FAMILIES)
    return sorted(ATTACKS.values(), key=lambda c: (order.index(c.family), c.name))
