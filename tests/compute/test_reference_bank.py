"""Reference signals are the same whichever executor trains them; crashed jobs are redone, not lost."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from leakpro.audit.reference_bank import ReferenceBank
from leakpro.compute import LocalExecutor, ProcessPoolExecutor, RayExecutor

from .helpers import FailingTrainer, small_records, small_trainer

K = 4
N_CANDIDATES = 201  # odd: the paired halves have two sizes, so batched jobs form two groups


def _bank(cache: Path | None, **kwargs: object) -> ReferenceBank:
    kwargs.setdefault("trainer", small_trainer())
    return ReferenceBank(small_records(), N_CANDIDATES, seed=3, cache_dir=cache, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sequential() -> np.ndarray:
    """Local, one model at a time, uncached: what the batched and distributed paths must agree with."""
    return np.array(_bank(None, batched=False).signals(K).logits)


@pytest.fixture(scope="module")
def clean() -> np.ndarray:
    """Local, batched (the default), uncached: every executor must reproduce these numbers exactly."""
    return np.array(_bank(None, batched=True).signals(K).logits)


def test_batched_local_equals_sequential(sequential: np.ndarray, clean: np.ndarray, tmp_path: Path) -> None:
    ref = _bank(tmp_path, batched=True).signals(K)
    assert ref.logits.dtype == np.float32 and ref.logits.shape == (K, 301, 2)
    np.testing.assert_array_equal(ref.logits, clean)
    # equal up to float32 rounding (tests/compute/test_batched.py justifies the tolerance)
    np.testing.assert_allclose(ref.logits, sequential, rtol=0, atol=1e-4)
    assert ref.trained_on[:, N_CANDIDATES:].sum() == 0  # population records are never trained on
    assert (ref.trained_on[0, :N_CANDIDATES] ^ ref.trained_on[1, :N_CANDIDATES]).all()  # paired halves


def test_process_pool_equals_local(clean: np.ndarray, tmp_path: Path) -> None:
    # two workers get one batched job each (the two training-set sizes); the sequential path through a
    # pool is checked with a scikit-learn trainer below
    bank = _bank(tmp_path, executor=ProcessPoolExecutor(workers=2), batched=True)
    np.testing.assert_array_equal(bank.signals(K).logits, clean)


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install 'leakpro[ray]')")
def test_ray_equals_local(clean: np.ndarray, tmp_path: Path, ray_cluster: None) -> None:
    bank = _bank(tmp_path, executor=RayExecutor(workers=2), batched=True)
    np.testing.assert_array_equal(bank.signals(K).logits, clean)


def test_a_crashed_job_is_redone_and_the_rest_reused(sequential: np.ndarray, tmp_path: Path) -> None:
    failing = FailingTrainer(small_trainer(), bad_seed=3 * 1000 + 2)  # model 2 crashes
    with pytest.raises(RuntimeError, match="training crashed"):
        _bank(tmp_path, trainer=failing, batched=False).signals(K)
    assert len(list((tmp_path / "reference").glob("*.npz"))) == 2  # models 0 and 1 finished and were kept
    events: list[tuple[int, int, bool]] = []
    again = _bank(tmp_path, batched=False, progress=lambda *e: events.append(e))
    np.testing.assert_array_equal(again.signals(K).logits, sequential)
    assert again.cache_hits == 2
    assert sorted(e[2] for e in events) == [False, False, True, True] and events[-1][:2] == (K, K)


def test_a_deleted_entry_is_retrained_identically(clean: np.ndarray, tmp_path: Path) -> None:
    _bank(tmp_path).signals(K)
    manifests = sorted((tmp_path / "reference").glob("*.npz"))
    assert len(manifests) == K
    manifests[1].unlink()  # a worker killed before it committed its entry
    (tmp_path / "reference" / f"{manifests[2].stem}.npy").unlink()  # or one that lost its data file
    for stack in (tmp_path / "reference").glob("stack-*.npy"):
        stack.unlink()
    again = _bank(tmp_path)
    np.testing.assert_array_equal(again.signals(K).logits, clean)
    assert again.cache_hits == K - 2


def test_fewer_models_are_a_prefix(clean: np.ndarray, tmp_path: Path) -> None:
    bank = _bank(tmp_path)
    np.testing.assert_array_equal(bank.signals(2).logits, clean[:2])
    np.testing.assert_array_equal(bank.signals(K).logits, clean)
    np.testing.assert_array_equal(bank.signals(3).logits, clean[:3])
    assert bank.cache_hits == 0


def test_sklearn_trainers_use_the_generic_path(tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    from leakpro.targets.trainers import SklearnTrainer

    trainer = SklearnTrainer(LogisticRegression(max_iter=200), n_classes=2)
    a = _bank(tmp_path / "a", trainer=trainer, executor=ProcessPoolExecutor(workers=2)).signals(2).logits
    b = _bank(None, trainer=trainer, executor=LocalExecutor()).signals(2).logits
    np.testing.assert_array_equal(a, b)
