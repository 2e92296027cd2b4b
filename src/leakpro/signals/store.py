"""A content-addressed, crash-safe store of per-model signals: float32 ``.npy`` files, memory-mapped on read.

Each entry is two files under the store's folder, named by a key that hashes everything the signals
depend on (records, training rows, recipe, seed):

- ``<key>.npy``: the model's outputs on the records, float32, opened with ``np.load(mmap_mode="r")`` so
  reading 64 models on 100,000 records costs page cache, not process memory;
- ``<key>.npz``: the entry's manifest (training mask and seed), written last. An entry is complete only
  when its manifest exists: a worker killed mid-write leaves at most a stray temporary file, and the job
  is simply redone.

Both files are written to a unique temporary name and renamed into place (atomic on one file system),
so concurrent writers of the same key (two workers, two audits) never expose a half-written file.
``stack`` writes the (k, R, C) matrix of several entries to one memory-mapped file, model by model.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp{path.suffix}")


class SignalStore:
    """Per-model float32 outputs keyed by content; see the module docstring for the layout."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.root / f"{key}.npy", self.root / f"{key}.npz"

    def get(self, key: str) -> np.ndarray | None:
        """The stored outputs (read-only memory map), or None if the entry is missing or incomplete."""
        data, manifest = self._paths(key)
        if not manifest.exists():
            return None
        if not data.exists():
            with np.load(manifest, allow_pickle=False) as f:
                if "logits" not in f:  # manifest without data: treat as missing, the job is redone
                    return None
                legacy = np.asarray(f["logits"], dtype=np.float32)  # entry from before the .npy layout
            self._write_npy(data, legacy)
        return np.load(data, mmap_mode="r")

    def put(self, key: str, logits: np.ndarray, train_mask: np.ndarray, seed: int) -> np.ndarray:
        """Store one model's outputs (as float32) and return them memory-mapped from disk."""
        data, manifest = self._paths(key)
        self.root.mkdir(parents=True, exist_ok=True)
        self._write_npy(data, np.asarray(logits, dtype=np.float32))
        tmp = _tmp(manifest)
        with tmp.open("wb") as f:
            np.savez(f, train_mask=np.asarray(train_mask, dtype=bool), seed=np.int64(seed))
        tmp.replace(manifest)
        return np.load(data, mmap_mode="r")

    def stack(self, keys: Sequence[str]) -> np.ndarray:
        """(k, R, C) float32 memory map of the entries ``keys`` (all present), written once per key list."""
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:24]
        path = self.root / f"stack-{len(keys)}-{digest}.npy"
        if not path.exists():
            first = self.get(keys[0])
            if first is None:
                raise KeyError(f"no stored signals for key {keys[0]!r}")
            tmp = _tmp(path)
            out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(len(keys), *first.shape))
            for i, key in enumerate(keys):
                entry = self.get(key)
                if entry is None:
                    raise KeyError(f"no stored signals for key {key!r}")
                out[i] = entry
            out.flush()
            del out
            tmp.replace(path)
        return np.load(path, mmap_mode="r")

    @staticmethod
    def _write_npy(path: Path, array: np.ndarray) -> None:
        tmp = _tmp(path)
        with tmp.open("wb") as f:
            np.save(f, array, allow_pickle=False)
        tmp.replace(path)
