"""Reference language models through the reference-model bank: the same signals whichever executor trains them,
reused from the bank's cache, and a new cache entry whenever something that changes the model changes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from leakpro.audit.llm_references import LMReferences, offline_bank, offline_signals, online_bank, online_signals
from leakpro.compute import LocalExecutor, ProcessPoolExecutor, RayExecutor
from leakpro.config.llm import LMRecipe
from leakpro.targets.lm_trainer import CausalLMTrainer
from leakpro.training.causal_lm import new_model, train_tokenizer

TEXTS = [
    f"fortune {i}: {w} favours the {v}"
    for i, (w, v) in enumerate(
        zip(["luck", "fate", "time", "chance", "work", "rain"] * 2, ["bold", "brave", "wise", "calm"] * 3, strict=False)
    )
]
POPULATION = [f"population text {i} about {w}" for i, w in enumerate(["tea", "sea", "snow", "wind", "sand", "rock"])]
RECIPE = LMRecipe(n_embd=16, n_head=2, n_layer=1, max_tokens=24, epochs=10, batch_size=4, lr=1e-2)
K = 2


@pytest.fixture(scope="module")
def refs() -> LMReferences:
    tok = train_tokenizer(TEXTS + POPULATION, vocab_size=300)
    base = new_model(RECIPE, len(tok), tok.bos_token_id, seed=0).eval()
    return LMReferences(
        CausalLMTrainer(base, tok, RECIPE, batch_size=8), models=K, population=tuple(POPULATION), offline_models=3
    )


@pytest.fixture(scope="module")
def local(refs: LMReferences) -> np.ndarray:
    return online_signals(online_bank(refs, TEXTS, 5, None, LocalExecutor()), K).signals


def test_signals_are_per_character_log_likelihoods_on_paired_halves(refs: LMReferences, local: np.ndarray) -> None:
    sig = online_signals(online_bank(refs, TEXTS, 5, None, None), K)
    assert sig.signals.shape == (K, len(TEXTS)) and (sig.signals < 0).all()
    assert (sig.trained_in[0] == ~sig.trained_in[1]).all() and sig.trained_in[0].sum() == len(TEXTS) // 2
    np.testing.assert_array_equal(sig.signals, local)
    # a reference LM finds the texts it trained on more likely than the others
    for k in range(K):
        assert sig.signals[k, sig.trained_in[k]].mean() > sig.signals[k, ~sig.trained_in[k]].mean()


def test_process_pool_equals_local(refs: LMReferences, local: np.ndarray, tmp_path: Path) -> None:
    bank = online_bank(refs, TEXTS, 5, tmp_path, ProcessPoolExecutor(workers=2))
    np.testing.assert_array_equal(online_signals(bank, K).signals, local.astype(np.float32).astype(np.float64))


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install 'leakpro[ray]')")
def test_ray_equals_local(refs: LMReferences, local: np.ndarray, tmp_path: Path, ray_cluster: None) -> None:
    bank = online_bank(refs, TEXTS, 5, tmp_path, RayExecutor(workers=2))
    np.testing.assert_array_equal(online_signals(bank, K).signals, local)


def test_cache_is_reused_and_keyed_on_what_changes_the_model(
    refs: LMReferences, local: np.ndarray, tmp_path: Path
) -> None:
    first = online_bank(refs, TEXTS, 5, tmp_path, None)
    online_signals(first, K)
    again = online_bank(refs, TEXTS, 5, tmp_path, None)
    np.testing.assert_array_equal(online_signals(again, K).signals, local)
    assert again.cache_hits == K
    other_recipe = CausalLMTrainer(refs.trainer.base, refs.trainer.tokenizer, RECIPE.model_copy(update={"epochs": 3}))
    assert other_recipe.key() != refs.trainer.key()
    other_base = CausalLMTrainer(
        new_model(RECIPE, len(refs.trainer.tokenizer), 0, seed=1), refs.trainer.tokenizer, RECIPE
    )
    assert other_base.key() != refs.trainer.key()
    other_tok = train_tokenizer(TEXTS, vocab_size=280)
    assert CausalLMTrainer(refs.trainer.base, other_tok, RECIPE).key() != refs.trainer.key()
    changed = [
        online_bank(refs, TEXTS, 6, tmp_path, None),  # seed
        online_bank(refs, [*TEXTS[:-1], "a different text"], 5, tmp_path, None),
    ]  # data
    for bank in changed:
        online_signals(bank, K)
        assert bank.cache_hits == 0


def test_offline_references_never_train_on_a_candidate(refs: LMReferences) -> None:
    sig = offline_signals(offline_bank(refs, TEXTS, 5, None, None), 3)
    assert sig.candidates.shape == (3, len(TEXTS)) and sig.population.shape == (3, len(POPULATION))
    assert sig.population_in.sum(axis=1).tolist() == [3, 3, 3]
    with pytest.raises(ValueError, match="also candidates"):
        offline_bank(LMReferences(refs.trainer, population=(TEXTS[0],)), TEXTS, 5, None, None)
