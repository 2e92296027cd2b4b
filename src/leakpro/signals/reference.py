"""Reference models: trained once per audit on random halves of the candidates, cached on disk.

Model 2i trains on a random half H_i of the candidates and model 2i+1 on its complement, so with an even
number of models every candidate is IN for exactly half of them. Population records are OUT for all.
Each model's outputs on the attacker's records are stored under a key that hashes the records, the
training indices, the recipe and the seed; a re-run with the same config reuses them (resume).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from leakpro.data.dataset import Dataset, take
from leakpro.game.view import ReferenceSignals
from leakpro.training.trainers import Trainer

ProgressFn = Callable[[int, int, bool], None]  # (done, total, from_cache)


def reference_splits(n_candidates: int, k: int, seed: int) -> np.ndarray:
    """(k, n_candidates) bool: which candidates each reference model trains on (paired halves)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EF]))
    masks = np.zeros((k, n_candidates), dtype=bool)
    for i in range(0, k, 2):
        half = np.zeros(n_candidates, dtype=bool)
        half[rng.permutation(n_candidates)[: n_candidates // 2]] = True
        masks[i] = half
        if i + 1 < k:
            masks[i + 1] = ~half
    return masks


class ReferenceBank:
    """Trains (or loads) reference models lazily; ``signals(k)`` returns the first k."""

    def __init__(
        self,
        records: Dataset,
        n_candidates: int,
        trainer: Trainer,
        seed: int,
        cache_dir: Path | None,
        progress: ProgressFn | None = None,
    ) -> None:
        self.records = records
        self.n_candidates = n_candidates
        self.trainer = trainer
        self.seed = seed
        self.cache_dir = cache_dir
        self.progress = progress
        self._logits: list[np.ndarray] = []
        self._records_key = records.fingerprint()
        self.cache_hits = 0

    def _masks(self, k: int) -> np.ndarray:
        # Splits for k models are a prefix of the splits for more models: pairs are drawn in order.
        k_even = k + (k % 2)
        masks = reference_splits(self.n_candidates, k_even, self.seed)[:k]
        pop = np.zeros((k, len(self.records) - self.n_candidates), dtype=bool)
        return np.concatenate([masks, pop], axis=1)

    def _key(self, train_mask: np.ndarray, model_seed: int) -> str:
        h = hashlib.sha256()
        for part in (self._records_key, self.trainer.key(), str(model_seed)):
            h.update(part.encode())
        h.update(np.packbits(train_mask).tobytes())
        return h.hexdigest()[:32]

    def _train_one(self, train_mask: np.ndarray, model_seed: int) -> tuple[np.ndarray, bool]:
        key = self._key(train_mask, model_seed)
        path = None if self.cache_dir is None else self.cache_dir / "reference" / f"{key}.npz"
        if path is not None and path.exists():
            with np.load(path, allow_pickle=False) as f:
                return f["logits"], True
        idx = np.flatnonzero(train_mask)
        model = self.trainer.fit(take(self.records.features, idx), self.records.labels[idx], model_seed)
        logits = model.logits(self.records.features).astype(np.float32)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + ".tmp.npz")
            np.savez(tmp, logits=logits, train_mask=train_mask)
            tmp.replace(path)  # atomic: a killed run never leaves a half-written entry
        return logits, False

    def signals(self, k: int) -> ReferenceSignals:
        if k < 1:
            raise ValueError("at least one reference model is needed")
        masks = self._masks(k)
        for i in range(len(self._logits), k):
            logits, hit = self._train_one(masks[i], model_seed=self.seed * 1000 + i)
            self._logits.append(logits)
            self.cache_hits += int(hit)
            if self.progress is not None:
                self.progress(i + 1, k, hit)
        return ReferenceSignals(logits=np.stack(self._logits[:k]), trained_on=masks)
