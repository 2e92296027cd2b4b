"""The signal store round-trips float32 outputs through memory-mapped .npy files and never trusts a half entry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from leakpro.signals.store import SignalStore


def _logits(seed: int, n: int = 50) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 3))


def test_round_trip_is_float32_and_memory_mapped(tmp_path: Path) -> None:
    store = SignalStore(tmp_path)
    assert store.get("k1") is None
    x = _logits(0)
    put = store.put("k1", x, np.arange(50) < 25, seed=7)
    got = store.get("k1")
    assert isinstance(got, np.memmap) and isinstance(put, np.memmap)
    assert got.dtype == np.float32 and not got.flags.writeable
    np.testing.assert_array_equal(got, x.astype(np.float32))
    with np.load(tmp_path / "k1.npz") as manifest:
        assert manifest["train_mask"].sum() == 25 and int(manifest["seed"]) == 7
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary files left behind


def test_an_entry_without_its_manifest_is_missing(tmp_path: Path) -> None:
    store = SignalStore(tmp_path)
    store.put("k1", _logits(0), np.ones(50, bool), seed=1)
    (tmp_path / "k1.npz").unlink()  # killed between writing the data and committing the entry
    assert store.get("k1") is None


def test_entries_from_the_npz_layout_are_read(tmp_path: Path) -> None:
    x = _logits(1).astype(np.float32)
    np.savez(tmp_path / "old.npz", logits=x, train_mask=np.ones(50, bool))
    got = SignalStore(tmp_path).get("old")
    assert got is not None
    np.testing.assert_array_equal(got, x)


def test_stack_is_written_once_and_memory_mapped(tmp_path: Path) -> None:
    store = SignalStore(tmp_path)
    xs = [_logits(i) for i in range(3)]
    for i, x in enumerate(xs):
        store.put(f"k{i}", x, np.ones(50, bool), seed=i)
    stack = store.stack(["k0", "k1", "k2"])
    assert isinstance(stack, np.memmap) and stack.shape == (3, 50, 3)
    np.testing.assert_array_equal(stack, np.stack(xs).astype(np.float32))
    assert len(list(tmp_path.glob("stack-*.npy"))) == 1
    np.testing.assert_array_equal(store.stack(["k0", "k1", "k2"]), stack)
    with pytest.raises(KeyError):
        store.stack(["k0", "nope"])
