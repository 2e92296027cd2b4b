"""Reference models: trained once per audit on random halves of the candidates, cached on disk.

The halves are drawn over the distinct candidates in content order (a hash of each record's features and
label) and each model's rows reach its trainer in that order, so the same records in another row order
train the same models.

Model 2i trains on a random half H_i of the candidates and model 2i+1 on its complement, so with an even
number of models every candidate is IN for exactly half of them. Population records are OUT for all.
Each model's outputs on the attacker's records are stored under a key that hashes the records, the
training indices, the recipe and the seed (:class:`~leakpro.signals.store.SignalStore`: float32 ``.npy``,
memory-mapped on read); a re-run with the same config reuses them (resume), and only models whose entry
is missing are trained again.

Missing models are trained through an :class:`~leakpro.compute.Executor` (in-process by default, or a
process pool, or Ray). With ``batched=True`` and a torch recipe the batched trainer can handle
(registered ``mlp`` / ``logistic``), models are trained several at once by stacking their parameters
(:mod:`leakpro.training.batched`); each model keeps its own seed and batch order, so its numbers are those
of the sequential path up to float32 rounding (the stacked step sums its products in another order and
runs fused Adam). Batched and sequential runs are therefore not interchangeable bit for bit, and batched
models are cached under their own key (``batched:`` and :data:`leakpro.training.stacked.VERSION`; the
sequential path's keys are as before); each is reproducible: the same seed and ``batched`` setting give the
same numbers whichever executor runs the jobs and however the models are grouped (``tests/compute`` checks
both).

When the records name query-time augmentations (``Dataset.augmentations``, image data), each model's
outputs are stored for every augmentation, (A, R, C), under a key that also hashes the augmentation list;
``signals`` then returns the identity outputs as ``logits`` and the whole stack as ``augmented``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leakpro.compute.local import LocalExecutor
from leakpro.compute.protocol import Executor
from leakpro.data.dataset import Dataset, Features, record_keys, take
from leakpro.game.view import ReferenceSignals
from leakpro.signals.store import SignalStore
from leakpro.targets.protocol import Target
from leakpro.targets.trainers import TorchTrainer, Trainer

ProgressFn = Callable[[int, int, bool], None]  # (done, total, from_cache)
MAX_BATCH = 64  # models trained together in one batched job


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


@dataclass(frozen=True)
class TrainContext:
    """What every training job needs, sent once per worker: the records and the trainer."""

    records: Dataset
    trainer: Trainer


@dataclass(frozen=True)
class TrainJob:
    """Train the reference models ``models`` (their numbers), each on its rows with its seed."""

    models: tuple[int, ...]
    rows: tuple[np.ndarray, ...]
    seeds: tuple[int, ...]
    batched: bool


def model_outputs(model: Target, features: Features, augmentations: tuple[str, ...]) -> np.ndarray:
    """float32 outputs (R, C) on the records, or (A, R, C) on each augmentation when the data names some."""
    if not augmentations:
        return model.logits(features).astype(np.float32)
    from leakpro.data.augment import apply_augmentation

    x = np.asarray(features)
    return np.stack([model.logits(apply_augmentation(x, a)).astype(np.float32) for a in augmentations])


def run_train_job(ctx: TrainContext, job: TrainJob) -> list[np.ndarray]:
    """Train the job's models and return each one's float32 outputs on all records (job order)."""
    features, labels = ctx.records.features, ctx.records.labels
    if job.batched and isinstance(ctx.trainer, TorchTrainer):
        from leakpro.targets.torch_target import TorchTarget
        from leakpro.training.batched import train_many

        x = features if isinstance(features, np.ndarray) else features.to_numpy(dtype=np.float32)
        modules = train_many(ctx.trainer.recipe, x, labels, ctx.trainer.n_classes, job.rows, job.seeds)
        targets = [TorchTarget(m, ctx.trainer.n_classes) for m in modules]
        return [model_outputs(t, x, ctx.records.augmentations) for t in targets]
    out = []
    for rows, seed in zip(job.rows, job.seeds, strict=True):
        model = ctx.trainer.fit(take(features, rows), labels[rows], seed)
        out.append(model_outputs(model, features, ctx.records.augmentations))
    return out


def _batchable(trainer: Trainer) -> bool:
    from leakpro.training.batched import can_batch

    return isinstance(trainer, TorchTrainer) and can_batch(trainer.recipe)


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
        executor: Executor | None = None,
        batched: bool = True,
    ) -> None:
        self.records = records
        self.n_candidates = n_candidates
        self.trainer = trainer
        self.seed = seed
        self.cache_dir = cache_dir
        self.progress = progress
        self.executor: Executor = executor if executor is not None else LocalExecutor()
        self.batched = batched
        self.store = None if cache_dir is None else SignalStore(cache_dir / "reference")
        self._outputs: dict[int, np.ndarray] = {}
        self._stack: np.ndarray | None = None
        self._records_key = records.fingerprint()
        self._ids: np.ndarray | None = None
        self.cache_hits = 0

    def _content_ids(self) -> np.ndarray:
        """Each candidate's rank among the distinct candidates by content hash (equal records, equal rank)."""
        if self._ids is None:
            c = np.arange(self.n_candidates)
            keys = record_keys(take(self.records.features, c), self.records.labels[c])
            self._ids = np.unique(keys, return_inverse=True)[1].reshape(-1)
        return self._ids

    def _masks(self, k: int) -> np.ndarray:
        # Splits for k models are a prefix of the splits for more models: pairs are drawn in order. They are
        # drawn over the distinct candidates in content order, so the same rows in another order (and
        # duplicates) get the same halves.
        k_even = k + (k % 2)
        ids = self._content_ids()
        masks = reference_splits(int(ids.max()) + 1, k_even, self.seed)[:k, ids]
        pop = np.zeros((k, len(self.records) - self.n_candidates), dtype=bool)
        return np.concatenate([masks, pop], axis=1)

    def _model_seed(self, i: int) -> int:
        return self.seed * 1000 + i

    def _key(self, train_mask: np.ndarray, model_seed: int) -> str:
        h = hashlib.sha256()
        for part in (self._records_key, self.trainer.key(), str(model_seed)):
            h.update(part.encode())
        if self.batched and _batchable(self.trainer):  # the batched trainer's numbers differ in the last bits
            from leakpro.training.stacked import VERSION

            h.update(f"batched:{VERSION}".encode())
        if self.records.augmentations:  # outputs are (A, R, C): a different entry (no augmentations: key as before)
            h.update(("augmentations:" + "|".join(self.records.augmentations)).encode())
        h.update(np.packbits(train_mask).tobytes())
        return h.hexdigest()[:32]

    def _jobs(self, missing: list[int], masks: np.ndarray, ids: np.ndarray) -> list[tuple[str, TrainJob]]:
        """Batched jobs group models of one training-set size, split over the executor's slots; each model's
        rows go to its trainer in content order (``ids``), never row order."""
        in_content_order = np.argsort(ids, kind="stable")
        if self.batched and _batchable(self.trainer):
            size = min(MAX_BATCH, max(1, math.ceil(len(missing) / self.executor.slots())))
            groups: dict[int, list[int]] = {}
            for i in missing:
                groups.setdefault(int(masks[i].sum()), []).append(i)
            chunks = [g[s : s + size] for g in groups.values() for s in range(0, len(g), size)]
            batched = True
        else:
            chunks, batched = [[i] for i in missing], False
        return [
            (f"models {c[0]}..{c[-1]}" if len(c) > 1 else f"model {c[0]}", TrainJob(
                models=tuple(c), rows=tuple(in_content_order[masks[i][in_content_order]] for i in c),
                seeds=tuple(self._model_seed(i) for i in c), batched=batched))
            for c in chunks
        ]

    def _train_missing(self, k: int, masks: np.ndarray) -> None:
        done = len(self._outputs)
        missing = []
        for i in range(k):
            if i in self._outputs:
                continue
            cached = None if self.store is None else self.store.get(self._key(masks[i], self._model_seed(i)))
            if cached is None:
                missing.append(i)
                continue
            self._outputs[i] = cached
            self.cache_hits += 1
            done += 1
            if self.progress is not None:
                self.progress(done, k, True)
        if not missing:
            return
        jobs = self._jobs(missing, masks, self._content_ids())
        by_id = dict(jobs)
        ctx = TrainContext(Dataset(self.records.name, self.records.features, self.records.labels,
                                   self.records.classes, augmentations=self.records.augmentations), self.trainer)
        for job_id, outputs in self.executor.map(run_train_job, jobs, ctx):
            for i, logits in zip(by_id[job_id].models, outputs, strict=True):
                seed = self._model_seed(i)
                self._outputs[i] = logits if self.store is None else self.store.put(
                    self._key(masks[i], seed), logits, masks[i], seed)
                done += 1
                if self.progress is not None:
                    self.progress(done, k, False)

    def signals(self, k: int) -> ReferenceSignals:
        if k < 1:
            raise ValueError("at least one reference model is needed")
        masks = self._masks(k)
        self._train_missing(k, masks)
        if self.store is None:
            stack = np.stack([self._outputs[i] for i in range(k)])
        else:
            if self._stack is None or self._stack.shape[0] < k:
                keys = [self._key(masks[i], self._model_seed(i)) for i in range(k)]
                self._stack = self.store.stack(keys)
            stack = self._stack[:k]
        if self.records.augmentations:  # (k, A, R, C); index 0 is the identity, the single-query signal
            return ReferenceSignals(logits=stack[:, 0], trained_on=masks, augmented=stack)
        return ReferenceSignals(logits=stack, trained_on=masks)
