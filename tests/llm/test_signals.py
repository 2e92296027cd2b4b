"""Per-token signals: the batched, padded fast path against a one-text-at-a-time obviously-correct version; the
score maths on known answers; the signal cache."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from leakpro.config.llm import LMRecipe
from leakpro.signals.lm import log_prob_per_char, mean_log_prob, min_k, min_k_plus_plus, token_signals, zlib_ratio
from leakpro.targets.causal_lm import TokenLogProbs, TorchCausalLM, hf_causal_lm
from leakpro.training.causal_lm import new_model, train_tokenizer

TEXTS = ["the cat sat on the mat", "a", "colourless green ideas sleep furiously tonight", "zz top", "hello world"]


@pytest.fixture(scope="module")
def tiny_lm() -> TorchCausalLM:
    tok = train_tokenizer(TEXTS * 3, vocab_size=300)
    model = new_model(LMRecipe(n_embd=16, n_head=2, n_layer=1, max_tokens=32), len(tok), tok.bos_token_id, seed=0)
    return hf_causal_lm(model.eval(), tok, "tiny")


def _slow(lm: TorchCausalLM, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = torch.tensor([lm.encode(text)])
    with torch.no_grad():
        logits = lm.module(ids).logits[0].double()
    logq = torch.log_softmax(logits, -1).numpy()
    lp, mu, sd = [], [], []
    for i in range(1, ids.shape[1]):
        row = logq[i - 1]
        p = np.exp(row)
        lp.append(row[ids[0, i]])
        mu.append(float(np.sum(p * row)))
        sd.append(float(np.sqrt(np.sum(p * (row - mu[-1]) ** 2))))
    return np.array(lp), np.array(mu), np.array(sd)


def test_batched_padded_signals_equal_one_text_at_a_time(tiny_lm: TorchCausalLM) -> None:
    sig = tiny_lm.token_log_probs(TEXTS, batch_size=2)
    assert len(sig) == len(TEXTS)
    for i, text in enumerate(TEXTS):
        lp, mu, sd = _slow(tiny_lm, text)
        s = sig.tokens(i)
        np.testing.assert_allclose(sig.logp[s], lp, atol=1e-6)
        np.testing.assert_allclose(sig.mu[s], mu, atol=1e-6)
        np.testing.assert_allclose(sig.sigma[s], sd, atol=1e-6)
    assert list(sig.n_chars) == [len(t) for t in TEXTS]


def test_scores_on_known_values() -> None:
    logp = np.log([0.5, 0.25, 0.125, 0.5])
    sig = TokenLogProbs(logp, np.full(4, -1.0), np.full(4, 2.0), np.array([0, 3, 4]), np.array([6, 2]))
    np.testing.assert_allclose(mean_log_prob(sig), [np.log(0.5 * 0.25 * 0.125) / 3, np.log(0.5)])
    np.testing.assert_allclose(min_k(sig, 0.34), [np.mean(np.log([0.125, 0.25])), np.log(0.5)])  # ⌈1.02⌉ = 2
    np.testing.assert_allclose(min_k(sig, 0.2), [np.log(0.125), np.log(0.5)])
    np.testing.assert_allclose(min_k_plus_plus(sig, 0.2), [(np.log(0.125) + 1) / 2, (np.log(0.5) + 1) / 2])
    np.testing.assert_allclose(log_prob_per_char(sig), [np.log(0.5 * 0.25 * 0.125) / 6, np.log(0.5) / 2])
    import zlib

    z = [len(zlib.compress(t.encode())) for t in ("abcabc", "xy")]
    np.testing.assert_allclose(zlib_ratio(sig, ["abcabc", "xy"]), sig.total() / np.array(z))


def test_signals_are_computed_once_and_read_back(tiny_lm: TorchCausalLM, tmp_path, monkeypatch) -> None:
    first = token_signals(tiny_lm, TEXTS, tmp_path)
    assert len(list((tmp_path / "lm-signals").glob("*.npz"))) == 1
    monkeypatch.setattr(tiny_lm, "token_log_probs", lambda *a, **k: pytest.fail("recomputed"))
    again = token_signals(tiny_lm, TEXTS, tmp_path)
    np.testing.assert_array_equal(first.logp, again.logp)
    np.testing.assert_array_equal(first.offsets, again.offsets)


def test_any_module_with_logits_of_input_ids() -> None:
    class Bigram(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.table = torch.nn.Embedding(8, 8)

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            return self.table(ids)

    torch.manual_seed(0)
    lm = TorchCausalLM(Bigram(), lambda t: [0] + [1 + (ord(c) % 7) for c in t], name="bigram")
    sig = lm.token_log_probs(["abc", "de"])
    table = torch.log_softmax(lm.module.table.weight.double(), -1).detach().numpy()
    ids = [0, 1 + ord("a") % 7, 1 + ord("b") % 7, 1 + ord("c") % 7]
    np.testing.assert_allclose(sig.logp[:3], [table[ids[i], ids[i + 1]] for i in range(3)], atol=1e-6)
    assert lm.fingerprint() == lm.fingerprint()
