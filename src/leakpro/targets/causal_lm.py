"""Causal language models under audit: per-token log-probabilities, computed once per (model, texts).

Two adapters behind one protocol (:class:`CausalLM`):

- :func:`load_causal_lm`: a Hugging Face ``transformers`` causal LM and its fast tokenizer from a local directory
  (``AutoModelForCausalLM.from_pretrained``): safetensors weights only, ``trust_remote_code`` never, nothing
  fetched from a hub (``local_files_only``); a directory whose config asks for remote code is refused;
- :class:`TorchCausalLM`: any PyTorch module with the contract ``logits = model(input_ids)`` (a ``(B, T, V)``
  tensor, or an object with ``.logits``), with an ``encode`` function from text to token ids.

For a text x = t_1..t_n (the tokenizer's BOS token is put first, so t_1 is predicted too), ``token_log_probs``
returns ℓ_i = log p(t_i | t_<i) (float64 log-softmax of the logits) and, for Min-K%++ (Zhang et al. 2024), the mean
μ_i and standard deviation σ_i of log p(v | t_<i) under v ~ p(· | t_<i) over the whole vocabulary.

>>> import torch
>>> class Uniform(torch.nn.Module):
...     def forward(self, ids): return torch.zeros(*ids.shape, 4)
>>> lm = TorchCausalLM(Uniform(), lambda t: [0] + [1] * len(t), name="uniform")
>>> sig = lm.token_log_probs(["ab"])
>>> [round(float(v), 4) for v in sig.logp]  # log(1/4) for both characters
[-1.3863, -1.3863]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from leakpro.config.errors import ConfigError
from leakpro.config.llm import model_dir_problems
from leakpro.training.causal_lm import require_transformers
from leakpro.training.torch_train import torch_threads


@dataclass(frozen=True)
class TokenLogProbs:
    """Per-token signals of N texts, flat with offsets: text i owns entries ``offsets[i]:offsets[i+1]``."""

    logp: np.ndarray  # ℓ_i, float64
    mu: np.ndarray  # E_v[log p(v | t_<i)], float64
    sigma: np.ndarray  # sd_v[log p(v | t_<i)], float64
    offsets: np.ndarray  # int64, N + 1
    n_chars: np.ndarray  # int64, N: characters of each text (for per-character normalisation)

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    def tokens(self, i: int) -> slice:
        return slice(int(self.offsets[i]), int(self.offsets[i + 1]))

    def per_text(self, values: np.ndarray) -> list[np.ndarray]:
        return [values[self.tokens(i)] for i in range(len(self))]

    def total(self) -> np.ndarray:
        """Σ_i ℓ_i per text (float64, N)."""
        return np.add.reduceat(self.logp, self.offsets[:-1]) if len(self.logp) else np.zeros(len(self))

    def per_char(self) -> np.ndarray:
        """Σ_i ℓ_i / characters per text: comparable across models with different tokenizers."""
        return self.total() / np.maximum(self.n_chars, 1)

    def save(self, path: Path) -> None:
        tmp = path.with_name(f".{path.name}.tmp.npz")
        np.savez(tmp, logp=self.logp, mu=self.mu, sigma=self.sigma, offsets=self.offsets, n_chars=self.n_chars)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> TokenLogProbs:
        with np.load(path, allow_pickle=False) as f:
            return cls(*(np.asarray(f[k]) for k in ("logp", "mu", "sigma", "offsets", "n_chars")))


class CausalLM(Protocol):
    """A causal LM under audit (or a reference LM)."""

    name: str

    def token_log_probs(self, texts: Sequence[str], batch_size: int = 32) -> TokenLogProbs: ...

    def fingerprint(self) -> str:
        """A content hash of the model's weights and tokenizer (signals are cached under it)."""
        ...

    def describe(self) -> str: ...


def _token_stats(logits: torch.Tensor, ids: torch.Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ℓ, μ, σ for positions 1..T−1 of each row (predicting ids[:, 1:] from logits[:, :-1]), float64."""
    logq = torch.log_softmax(logits[:, :-1].to(torch.float64), dim=-1)
    target = ids[:, 1:]
    logp = torch.gather(logq, -1, target.unsqueeze(-1)).squeeze(-1)
    q = logq.exp()
    mu = (q * logq).sum(-1)
    var = (q * logq.square()).sum(-1) - mu.square()
    return logp.numpy(), mu.numpy(), var.clamp_min(0.0).sqrt().numpy()


class TorchCausalLM:
    """A PyTorch module with ``logits = model(input_ids)`` and an ``encode`` function (text → ids, BOS first)."""

    def __init__(self, module: torch.nn.Module, encode: Callable[[str], list[int]], *, name: str = "model",
                 pad_id: int = 0, max_tokens: int | None = None, tokenizer_id: str = "") -> None:
        self.module, self.encode, self.name = module, encode, name
        self.pad_id, self.max_tokens, self.tokenizer_id = pad_id, max_tokens, tokenizer_id
        self._takes_mask = hasattr(getattr(module, "config", None), "model_type")  # a transformers model

    def _ids(self, texts: Sequence[str]) -> list[list[int]]:
        rows = [self.encode(t) for t in texts]
        return [r[: self.max_tokens] if self.max_tokens else r for r in rows]

    def token_log_probs(self, texts: Sequence[str], batch_size: int = 32) -> TokenLogProbs:
        """ℓ, μ, σ of every token of every text (one intra-op thread: fastest for small models, measured)."""
        with torch_threads(), torch.no_grad():
            return self._token_log_probs(texts, batch_size)

    def _token_log_probs(self, texts: Sequence[str], batch_size: int) -> TokenLogProbs:
        rows = self._ids(texts)
        if any(len(r) < 2 for r in rows):
            raise ValueError("every text needs at least one token after the BOS token")
        self.module.eval()
        parts: list[list[np.ndarray]] = [[], [], []]
        order = np.argsort([len(r) for r in rows], kind="stable")  # similar lengths together: less padding
        per_text: dict[int, tuple[np.ndarray, ...]] = {}
        for start in range(0, len(rows), batch_size):
            idx = order[start : start + batch_size]
            width = max(len(rows[i]) for i in idx)
            ids = torch.full((len(idx), width), self.pad_id, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for j, i in enumerate(idx):
                ids[j, : len(rows[i])] = torch.as_tensor(rows[i], dtype=torch.long)
                mask[j, : len(rows[i])] = 1
            # right padding never changes earlier positions of a causal model; transformers models get the mask too
            out = self.module(ids, attention_mask=mask) if self._takes_mask else self.module(ids)
            logits = out if isinstance(out, torch.Tensor) else out.logits
            lp, mu, sd = _token_stats(logits, ids)
            for j, i in enumerate(idx):
                n = len(rows[i]) - 1
                per_text[int(i)] = (lp[j, :n], mu[j, :n], sd[j, :n])
        for i in range(len(rows)):
            for k in range(3):
                parts[k].append(per_text[i][k])
        offsets = np.concatenate([[0], np.cumsum([len(r) - 1 for r in rows])]).astype(np.int64)
        flat = [np.concatenate(p) if p else np.zeros(0) for p in parts]
        return TokenLogProbs(flat[0], flat[1], flat[2], offsets, np.array([len(t) for t in texts], dtype=np.int64))

    def fingerprint(self) -> str:
        h = hashlib.sha256(f"{self.tokenizer_id}|{self.max_tokens}|".encode())
        for key, value in sorted(self.module.state_dict().items()):
            h.update(key.encode())
            h.update(value.detach().cpu().contiguous().numpy().tobytes())
        return h.hexdigest()

    def describe(self) -> str:
        n = sum(p.numel() for p in self.module.parameters())
        return f"{self.name}: {type(self.module).__name__}, {n:,} parameters"


def hf_causal_lm(model: Any, tokenizer: Any, name: str, max_tokens: int | None = None) -> TorchCausalLM:
    """Wrap an in-memory ``transformers`` model and tokenizer (BOS first; the model's context length caps)."""
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    if bos is None:
        raise ValueError("the tokenizer has neither a BOS nor an EOS token to put before each text")
    limit = max_tokens or getattr(model.config, "n_positions", None) or getattr(model.config,
                                                                                "max_position_embeddings", None)

    def encode(text: str) -> list[int]:
        return [int(bos), *tokenizer(text, add_special_tokens=False)["input_ids"]]

    vocab = hashlib.sha256(repr(sorted(tokenizer.get_vocab().items())).encode()).hexdigest()[:16]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else bos
    return TorchCausalLM(model, encode, name=name, pad_id=int(pad), max_tokens=limit, tokenizer_id=vocab)


def load_causal_lm(path: Path, name: str | None = None) -> TorchCausalLM:
    """A ``transformers`` causal LM + tokenizer from a local directory: safetensors only, never remote code."""
    problems = model_dir_problems(Path(path), "model directory")
    if problems:
        raise ConfigError(problems)
    require_transformers()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(path, use_safetensors=True, trust_remote_code=False,
                                                 local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False, local_files_only=True)
    return hf_causal_lm(model.eval(), tokenizer, name or Path(path).name)
