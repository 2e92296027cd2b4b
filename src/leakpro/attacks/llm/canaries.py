"""Canaries for the exposure test (Carlini et al. 2019, "The Secret Sharer").

A canary is ``"{prefix} d d d d d d"``: a prefix of its own and a secret of random digits (spaced, so each digit is
its own word for the tokenizer). The auditor inserts canaries into the training data at chosen repetition counts
(0 = never inserted: the control) and asks how much more likely the model finds each inserted secret, after its
prefix, than random secrets after the same prefix (:mod:`leakpro.metrics.exposure`). Each canary has its own
prefix (``"{template} of {name} is"``), so canaries do not compete for one context as they would with a shared one.

>>> import numpy as np
>>> c = make_canaries("the secret number", 3, {0: 1, 2: 1}, np.random.default_rng(0))
>>> [(x.repetitions, len(x.secret.split()), x.prefix.startswith("the secret number of ")) for x in c]
[(0, 3, True), (2, 3, True)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.signals.lm import token_signals
from leakpro.targets.causal_lm import CausalLM

NAMES = ("Alice", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ingrid", "Jonas", "Kira", "Lars",
         "Mina", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Ugo", "Vera", "Wim", "Xenia", "Yusuf",
         "Zoe", "Anton", "Bianca", "Cyril", "Dora", "Emil", "Fiona")


@dataclass(frozen=True)
class Canary:
    prefix: str
    secret: str  # digits separated by spaces
    repetitions: int

    @property
    def text(self) -> str:
        return canary_text(self.prefix, self.secret)


def canary_text(prefix: str, secret: str) -> str:
    return f"{prefix} {secret}"


def random_secrets(digits: int, n: int, rng: np.random.Generator) -> list[str]:
    return [" ".join(str(d) for d in row) for row in rng.integers(0, 10, size=(n, digits))]


def make_canaries(template: str, digits: int, per_repetition: dict[int, int], rng: np.random.Generator) -> list[Canary]:
    """``per_repetition[r]`` canaries for each repetition count r, each with its own prefix and random secret."""
    out: list[Canary] = []
    names = [n if i < len(NAMES) else f"{n} {i // len(NAMES)}"
             for i, n in enumerate(NAMES[j % len(NAMES)] for j in range(sum(per_repetition.values())))]
    order = rng.permutation(len(names))
    for reps in sorted(per_repetition):
        for _ in range(per_repetition[reps]):
            name = names[int(order[len(out)])]
            out.append(Canary(f"{template} of {name} is", random_secrets(digits, 1, rng)[0], reps))
    return out


def training_copies(canaries: Sequence[Canary]) -> list[str]:
    """The texts to add to the training data: each canary repeated its count of times."""
    return [c.text for c in canaries for _ in range(c.repetitions)]


def secret_log_perplexity(lm: CausalLM, prefixes: Sequence[str], secrets: Sequence[str],
                          batch_size: int = 64) -> np.ndarray:
    """−Σ log p of each ``prefix secret`` text. Secrets are compared only after the same prefix, whose tokens are
    then shared, so their ranking is that of the secret given the prefix."""
    sig = token_signals(lm, [canary_text(p, s) for p, s in zip(prefixes, secrets, strict=True)], None, batch_size)
    return -sig.total()


register_card(AttackCard(family="language-model membership", name="canary_exposure",
                         title="Canary exposure (random-secret canaries)", paper="Carlini et al. 2019",
                         threat_model="token log-probabilities; canaries inserted by the auditor",
                         params=make_canaries))
