"""A canary-based one-run audit (Steinke, Nasr & Jagielski 2023) of the training recipe and its DP variants.

Canaries are population records (never in the target's training data) with their label changed to
another class, which makes them easy to memorise and so a strong test. Each is added to the target's
training set independently with probability ½, the recipe trains once, and the auditor scores every
canary by −loss. It guesses "in" for the ``guesses/2`` highest scores and "out" for the ``guesses/2``
lowest, abstaining on the rest: fixed before looking at the answers, so nothing is tuned on the secret.
The ε lower bound follows :mod:`leakpro.metrics.one_run`.
"""

from __future__ import annotations

import numpy as np

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.config.schema import OneRunSpec
from leakpro.data.dataset import Dataset, take
from leakpro.metrics.one_run import one_run_epsilon
from leakpro.results.types import OneRunResult
from leakpro.signals.math import cross_entropy
from leakpro.targets.trainers import Trainer


def _concat(a: Dataset, b: Dataset) -> tuple[np.ndarray, np.ndarray]:
    x = np.concatenate([np.asarray(a.features), np.asarray(b.features)])
    return x, np.concatenate([a.labels, b.labels])


def one_run_audit(name: str, trainer: Trainer, members: Dataset, population: Dataset, spec: OneRunSpec,
                  seed: int, delta: float) -> OneRunResult:
    """Train once with random canaries and bound ε from the guesses (see the module)."""
    if spec.canaries > len(population):
        raise ValueError(f"one_run.canaries: {spec.canaries} canaries but only {len(population)} population records")
    if spec.guesses > spec.canaries:
        raise ValueError("one_run.guesses must not exceed one_run.canaries")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xCA7]))
    pick = rng.choice(len(population), spec.canaries, replace=False)
    canaries = population.subset(pick)
    shift = rng.integers(1, canaries.n_classes, size=spec.canaries)
    canaries = Dataset("canaries", canaries.features, (canaries.labels + shift) % canaries.n_classes,
                       canaries.classes)
    included = rng.random(spec.canaries) < 0.5
    x, y = _concat(members, canaries.subset(np.flatnonzero(included)))
    model = trainer.fit(x, y, seed)
    scores = -cross_entropy(model.logits(take(canaries.features, np.arange(spec.canaries))), canaries.labels)
    order = np.argsort(-scores, kind="mergesort")
    half = spec.guesses // 2
    guessed_in, guessed_out = order[:half], order[len(order) - half:]
    correct = int(included[guessed_in].sum() + (~included[guessed_out]).sum())
    privacy = getattr(model, "privacy", None)
    return OneRunResult(
        variant=name, canaries=spec.canaries, included=int(included.sum()), guesses=2 * half, correct=correct,
        delta=delta, confidence=spec.confidence,
        epsilon_lower_bound=one_run_epsilon(spec.canaries, 2 * half, correct, delta, spec.confidence),
        accountant_epsilon=privacy["epsilon"] if privacy else None,
    )


register_card(AttackCard(
    family="DP auditing", name="one_run", title="One-run canary audit (ε lower bound)",
    paper="Steinke, Nasr & Jagielski, Privacy Auditing with One (1) Training Run, NeurIPS 2023",
    threat_model="the auditor inserts canaries into one training run and reads the trained model's losses",
    params=OneRunSpec,
))
