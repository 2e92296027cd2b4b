"""Reference LMs of an LM audit, trained through the reference-model bank, its cache and an executor.

Two banks, both :class:`~leakpro.audit.reference_bank.ReferenceBank` over texts
(:func:`~leakpro.targets.lm_trainer.text_records`), with a :class:`~leakpro.targets.lm_trainer.CausalLMTrainer`:

- **online** (LiRA, RMIA): the records are the candidates; reference LM 2i fine-tunes on a random half of them and
  2i+1 on the complement, so every candidate is IN for half of the models (the attacker's own halves, never the
  secret);
- **offline** (offline RMIA): the records are population texts (never candidates) followed by the candidates, and
  the bank draws its halves over the population only: every reference LM trains on a random half of the
  population and none on any candidate. The population rows let offline RMIA tune its ``a`` with reference LMs
  playing the target.

Each model's per-character log-likelihoods are stored in the bank's cache (``cache/reference``) under a key of the
texts, the rows, the trainer (recipe, base weights, tokenizer, versions) and the seed; a re-run reuses them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leakpro.audit.reference_bank import ReferenceBank
from leakpro.compute.protocol import Executor
from leakpro.targets.lm_trainer import CausalLMTrainer, text_records


@dataclass(frozen=True)
class LMReferences:
    """How the attacker's reference LMs are made: ``models`` on random halves of the candidates (online) and
    ``offline_models`` on random halves of ``population`` (texts known not to be candidates)."""

    trainer: CausalLMTrainer
    models: int = 4
    population: tuple[str, ...] = ()
    offline_models: int = 4


@dataclass(frozen=True)
class OnlineSignals:
    signals: np.ndarray  # (K, N) float64 per-character log-likelihood of each candidate
    trained_in: np.ndarray  # (K, N) bool


@dataclass(frozen=True)
class OfflineSignals:
    candidates: np.ndarray  # (K, N): no reference LM trained on any candidate
    population: np.ndarray  # (K, P)
    population_in: np.ndarray  # (K, P) bool: which population texts each reference LM trained on


Progress = Callable[[int, int, bool], None]


def online_bank(
    refs: LMReferences,
    texts: Sequence[str],
    seed: int,
    cache: Path | None,
    executor: Executor | None,
    progress: Progress | None = None,
) -> ReferenceBank:
    return ReferenceBank(
        text_records(texts, "candidates"), len(texts), refs.trainer, seed, cache, progress, executor, batched=False
    )


def offline_bank(
    refs: LMReferences,
    texts: Sequence[str],
    seed: int,
    cache: Path | None,
    executor: Executor | None,
    progress: Progress | None = None,
) -> ReferenceBank:
    """Halves are drawn over the first ``len(population)`` records (the population); candidates come after and
    are OUT for every model."""
    overlap = set(refs.population) & set(texts)
    if overlap:
        raise ValueError(
            f"{len(overlap)} population text(s) are also candidates; offline reference LMs must "
            "never train on a candidate: remove them from the population"
        )
    records = text_records([*refs.population, *texts], "population+candidates")
    return ReferenceBank(records, len(refs.population), refs.trainer, seed, cache, progress, executor, batched=False)


def online_signals(bank: ReferenceBank, k: int) -> OnlineSignals:
    ref = bank.signals(k)
    return OnlineSignals(np.asarray(ref.logits[:, :, 0], dtype=np.float64), np.asarray(ref.trained_on, dtype=bool))


def offline_signals(bank: ReferenceBank, k: int) -> OfflineSignals:
    ref = bank.signals(k)
    p = bank.n_candidates  # the bank's "candidates" are the population texts here
    sig = np.asarray(ref.logits[:, :, 0], dtype=np.float64)
    mask = np.asarray(ref.trained_on, dtype=bool)
    if mask[:, p:].any():
        raise RuntimeError("an offline reference LM trained on a candidate")
    return OfflineSignals(sig[:, p:], sig[:, :p], mask[:, :p])
