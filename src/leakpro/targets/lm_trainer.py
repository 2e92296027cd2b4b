"""Reference language models through the reference-model bank: a trainer and a target over texts.

The bank (:class:`~leakpro.audit.reference_bank.ReferenceBank`) trains reference models on rows of a
:class:`~leakpro.data.dataset.Dataset` through an executor (in process, a process pool, Ray) and stores each
model's outputs on every record under a content key. For language models the records are texts
(:func:`text_records`: one ``text`` column, label 0), :class:`CausalLMTrainer` fine-tunes a copy of a base LM on
the rows it is given (or trains a fresh GPT-2 when there is no base), and the "outputs" of a reference LM are one
column per text: its per-character log-likelihood (:class:`LMSignalTarget`), stored as float32 as the bank stores
every output.

The trainer's ``key`` hashes everything that changes a reference LM besides its rows and seed (which the bank
hashes itself): the recipe, the base model's weights, the tokenizer, the signal batch size, and the versions of
leakpro, torch, transformers and tokenizers. Training runs on one intra-op thread with the seed, so every executor
gives the same numbers (``tests/llm/test_reference_bank_lm.py``).

>>> records = text_records(["a text", "another"])
>>> list(records.features.columns), records.labels.tolist()
(['text'], [0, 0])
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from leakpro.config.llm import LMRecipe
from leakpro.data.dataset import Dataset, Features
from leakpro.results.environment import package_versions
from leakpro.targets.causal_lm import TorchCausalLM, hf_causal_lm
from leakpro.training.causal_lm import train_causal_lm
from leakpro.version import __version__

TEXT_COLUMN = "text"
_VERSIONED = ("torch", "transformers", "tokenizers")


def text_records(texts: Sequence[str], name: str = "texts") -> Dataset:
    """Texts as bank records: a one-column DataFrame (hashed by content) and a constant label."""
    frame = pd.DataFrame({TEXT_COLUMN: [str(t) for t in texts]})
    return Dataset(name, frame, np.zeros(len(frame), dtype=np.int64), (TEXT_COLUMN,))


def _texts(features: Features) -> list[str]:
    if not isinstance(features, pd.DataFrame) or TEXT_COLUMN not in features.columns:
        raise TypeError(f"language-model records are a DataFrame with a {TEXT_COLUMN!r} column (text_records)")
    return [str(t) for t in features[TEXT_COLUMN].tolist()]


class LMSignalTarget:
    """A reference LM seen through the bank's Target protocol: ``logits`` is (R, 1), the per-character
    log-likelihood of each text (higher: the model finds the text more likely)."""

    n_classes = 1

    def __init__(self, lm: TorchCausalLM, batch_size: int = 32) -> None:
        self.lm, self.batch_size = lm, batch_size

    def logits(self, features: Features) -> np.ndarray:
        return self.lm.token_log_probs(_texts(features), self.batch_size).per_char()[:, None]

    def predict(self, features: Features) -> np.ndarray:
        return np.zeros(len(_texts(features)), dtype=np.int64)

    def describe(self) -> str:
        return self.lm.describe()


class CausalLMTrainer:
    """Fine-tune a copy of ``base`` (a ``transformers`` causal LM; None: a fresh GPT-2 of ``recipe``'s size) on
    the given texts with ``recipe`` and the seed; picklable, so executors can send it to workers."""

    def __init__(self, base: Any, tokenizer: Any, recipe: LMRecipe, batch_size: int = 32) -> None:
        self.base, self.tokenizer, self.recipe, self.batch_size = base, tokenizer, recipe, batch_size
        vocab = hashlib.sha256(repr(sorted(tokenizer.get_vocab().items())).encode()).hexdigest()
        base_print = "none" if base is None else hf_causal_lm(base, tokenizer, "base").fingerprint()
        self._key = hashlib.sha256(
            json.dumps(
                {
                    "lm": recipe.model_dump(),
                    "base": base_print,
                    "tokenizer": vocab,
                    "signal_batch": batch_size,
                    "versions": {"leakpro": __version__, **package_versions(_VERSIONED)},
                },
                sort_keys=True,
            ).encode()
        ).hexdigest()

    def fit(self, features: Features, labels: np.ndarray, seed: int) -> LMSignalTarget:
        model = train_causal_lm(_texts(features), self.tokenizer, self.recipe, seed, init=self.base)
        return LMSignalTarget(hf_causal_lm(model, self.tokenizer, f"reference LM (seed {seed})"), self.batch_size)

    def key(self) -> str:
        return self._key
