"""The language-model membership attack contract, its view and its registry.

Threat model (MIMIR, Duan et al. 2024): the attacker queries the causal LM for per-token log-probabilities of
candidate texts (gray box: the full next-token distribution, which Min-K%++ needs); the reference attacks also
hold texts of the same population that were not trained on, and may train reference LMs on them and on random
halves of the candidates. An attack never sees which candidates are members: the challenger scores.

>>> from leakpro.attacks.llm.reference_free import LossAttack
>>> LossAttack(random_state=0).params.model_dump()
{}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.attacks.scores import checked_scores
from leakpro.registry import Registry
from leakpro.targets.causal_lm import TokenLogProbs

FAMILY = "language-model membership"


@dataclass(frozen=True)
class LMView:
    """What an LM attacker sees: candidate texts, the target's per-token signals, and its own reference LMs.

    ``reference``: per-character log-probability of each candidate under one reference LM trained on population
    texts (None if none). ``lira_signals``/``lira_in``: (K, N) per-character log-probabilities under K reference
    LMs trained on random halves of the candidates, and which candidates each trained on (the attacker's own
    choice, not the secret). ``offline_signals``: (K, N) the same under K reference LMs none of which trained on
    any candidate, each trained on a random half of population texts; ``offline_population`` (K, P) and
    ``offline_population_in`` (K, P) their signals on those population texts and which each trained on.
    """

    texts: tuple[str, ...]
    target: TokenLogProbs
    reference: np.ndarray | None = None
    lira_signals: np.ndarray | None = None
    lira_in: np.ndarray | None = None
    offline_signals: np.ndarray | None = None
    offline_population: np.ndarray | None = None
    offline_population_in: np.ndarray | None = None

    @property
    def n_candidates(self) -> int:
        return len(self.texts)


class LMAttackParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LMAttack:
    """One abstract layer: subclasses set the class attributes and implement ``scores``."""

    name: ClassVar[str]
    title: ClassVar[str]
    paper: ClassVar[str]
    needs: ClassVar[str] = ""  # "reference", "lira" or "offline": which reference signals ``scores`` reads
    Params: ClassVar[type[LMAttackParams]] = LMAttackParams

    def __init__(self, *, random_state: int = 0, **params: Any) -> None:
        self.params = self.Params(**params)
        self.random_state = random_state

    def run(self, view: LMView) -> np.ndarray:
        if self.needs == "reference" and view.reference is None:
            raise ValueError(f"attack {self.name!r} needs a reference LM's signals; none in the view")
        if self.needs == "lira" and (view.lira_signals is None or view.lira_in is None):
            raise ValueError(f"attack {self.name!r} needs reference LMs trained on random halves; none in the view")
        if self.needs == "offline" and (view.offline_signals is None or view.offline_population is None
                                        or view.offline_population_in is None):
            raise ValueError(f"attack {self.name!r} needs reference LMs trained on population texts only; none in "
                             "the view")
        return checked_scores(self.name, self.scores(view), view.n_candidates)

    def derived(self) -> dict[str, float | int | str]:
        """What the attack chose while scoring (recorded beside its parameters in the results)."""
        return {}

    def scores(self, view: LMView) -> np.ndarray:
        raise NotImplementedError


_REGISTRY: Registry[type[LMAttack]] = Registry("language-model attack")


def register_lm_attack(cls: type[LMAttack]) -> type[LMAttack]:
    """Register an LM attack by ``name`` and its card in the catalogue of every attack."""
    _REGISTRY.add(cls.name, cls)
    threat = "token log-probabilities" + (" + reference LMs" if cls.needs else "")
    register_card(AttackCard(family=FAMILY, name=cls.name, title=cls.title, paper=cls.paper, threat_model=threat,
                             params=cls.Params))
    return cls


def registered_lm_attacks() -> dict[str, type[LMAttack]]:
    import leakpro.attacks.llm.reference
    import leakpro.attacks.llm.reference_free  # noqa: F401  (modules register on import)

    return _REGISTRY.items()


def get_lm_attack(name: str) -> type[LMAttack]:
    """The attack registered as ``name``; the registry's KeyError names the closest and every known name."""
    registered_lm_attacks()
    return _REGISTRY.get(name)
