"""Language-model membership signals: per-text scores from per-token log-probabilities, and their store.

Pure functions over :class:`~leakpro.targets.causal_lm.TokenLogProbs` (ATTACKS.md, "Language models"); each
returns one float64 score per text, higher ⇒ more likely a member. :func:`token_signals` computes a model's
per-token signals once per (model weights, tokenizer, texts) and keeps them under the cache folder, so every
attack (and a re-run) reads the same numbers.

>>> import numpy as np
>>> from leakpro.targets.causal_lm import TokenLogProbs
>>> sig = TokenLogProbs(np.log([0.5, 0.25, 0.5]), np.zeros(3), np.ones(3), np.array([0, 2, 3]), np.array([4, 2]))
>>> [round(float(v), 4) for v in mean_log_prob(sig)]
[-1.0397, -0.6931]
>>> [round(float(v), 4) for v in min_k(sig, 0.5)]  # the lowest half of text 0: log 0.25
[-1.3863, -0.6931]
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from leakpro.targets.causal_lm import CausalLM, TokenLogProbs


def mean_log_prob(sig: TokenLogProbs) -> np.ndarray:
    """LOSS / perplexity: mean ℓ_i per text (= −log perplexity)."""
    counts = np.diff(sig.offsets)
    return sig.total() / counts


def zlib_ratio(sig: TokenLogProbs, texts: Sequence[str]) -> np.ndarray:
    """Carlini et al. 2021: the model's loss relative to zlib's, Σ ℓ_i / zlib-compressed bytes (higher ⇒ member).

    The loss is the text's total negative log-likelihood, its code length under the model, so the ratio compares two
    compressors of the same text and does not grow with its length (the per-token mean over bytes, as some
    implementations write it, ranks texts mostly by length when their lengths vary, as short fortunes do).
    """
    sizes = np.array([len(zlib.compress(t.encode("utf-8"))) for t in texts], dtype=np.float64)
    return sig.total() / sizes


def _lowest_mean(values: list[np.ndarray], k: float) -> np.ndarray:
    out = np.empty(len(values))
    for i, v in enumerate(values):
        m = max(1, int(np.ceil(k * len(v))))
        out[i] = float(np.mean(np.partition(v, m - 1)[:m]))
    return out


def min_k(sig: TokenLogProbs, k: float = 0.2) -> np.ndarray:
    """Min-K% (Shi et al. 2024): mean of the ⌈k·n⌉ lowest ℓ_i of each text."""
    return _lowest_mean(sig.per_text(sig.logp), k)


def min_k_plus_plus(sig: TokenLogProbs, k: float = 0.2) -> np.ndarray:
    """Min-K%++ (Zhang et al. 2024): z_i = (ℓ_i − μ_i)/σ_i, then the mean of the ⌈k·n⌉ lowest z_i."""
    z = (sig.logp - sig.mu) / np.maximum(sig.sigma, 1e-12)
    return _lowest_mean(sig.per_text(z), k)


def log_prob_per_char(sig: TokenLogProbs) -> np.ndarray:
    """Σ ℓ_i / characters: comparable across models with different tokenizers (reference calibration)."""
    return sig.per_char()


def texts_key(texts: Sequence[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def token_signals(lm: CausalLM, texts: Sequence[str], cache: Path | None = None,
                  batch_size: int = 32) -> TokenLogProbs:
    """``lm``'s per-token signals on ``texts``, computed once and stored under ``cache/lm-signals/``."""
    if cache is None:
        return lm.token_log_probs(texts, batch_size)
    key = hashlib.sha256(f"{lm.fingerprint()}|{texts_key(texts)}".encode()).hexdigest()[:32]
    path = cache / "lm-signals" / f"{key}.npz"
    if path.is_file():
        return TokenLogProbs.load(path)
    sig = lm.token_log_probs(texts, batch_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    sig.save(path)
    return sig
