"""Train small GPT-style causal language models here, offline: a byte-level BPE tokenizer and a random-init GPT-2.

Used for the embedded language-model target (``leakpro demo --llm``), its null control and the attacker's
reference LMs. Nothing is downloaded: the tokenizer is trained with ``tokenizers`` on texts given to it (for the
demo, public texts only, never the candidates, so the vocabulary says nothing about membership) and the model is
``transformers.GPT2LMHeadModel`` from a config. Training is deterministic given the seed (one CPU thread).

>>> tok = train_tokenizer(["a tiny corpus", "of two texts"], vocab_size=300)
>>> model = train_causal_lm(["a tiny corpus"], tok, LMRecipe(n_embd=16, n_head=2, n_layer=1, epochs=1), seed=0)
>>> type(model).__name__
'GPT2LMHeadModel'
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from leakpro.config.llm import LMRecipe
from leakpro.training.torch_train import torch_threads

SPECIAL = "<|endoftext|>"


def require_transformers() -> None:
    """Raise an ImportError naming the extra when ``transformers``/``tokenizers`` are missing."""
    try:
        import tokenizers  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise ImportError("language-model audits need transformers and tokenizers; fix: pip install "
                          "'leakpro[llm]'") from exc


def train_tokenizer(texts: Sequence[str], vocab_size: int = 2000) -> Any:
    """A byte-level BPE tokenizer (GPT-2 style, one special token for BOS/EOS/padding) trained on ``texts``."""
    require_transformers()
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[SPECIAL], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    core.train_from_iterator(list(texts), trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=core, bos_token=SPECIAL, eos_token=SPECIAL, pad_token=SPECIAL)


def encode(tokenizer: Any, texts: Sequence[str], max_tokens: int) -> list[list[int]]:
    """Token ids per text with the BOS token first (so every token of the text is predicted), cut to ``max_tokens``."""
    bos = int(tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id)
    ids = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    return [([bos, *row])[:max_tokens] for row in ids]


def new_model(recipe: LMRecipe, vocab_size: int, bos_id: int, seed: int) -> Any:
    """A random-init GPT-2 of ``recipe``'s size (no dropout: the audit's models are deterministic)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(vocab_size=vocab_size, n_positions=recipe.max_tokens, n_embd=recipe.n_embd,
                        n_layer=recipe.n_layer, n_head=recipe.n_head, resid_pdrop=0.0, embd_pdrop=0.0,
                        attn_pdrop=0.0, bos_token_id=bos_id, eos_token_id=bos_id, pad_token_id=bos_id)
    torch.manual_seed(seed)
    return GPT2LMHeadModel(config)


def pad_batch(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, mask) right-padded to the longest row."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.as_tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return ids, mask


def train_causal_lm(texts: Sequence[str], tokenizer: Any, recipe: LMRecipe, seed: int, init: Any = None) -> Any:
    """Train a GPT-2 on ``texts`` (a text repeated in the list is trained on that many times per epoch): a fresh
    one of ``recipe``'s size, or a copy of ``init`` fine-tuned (``init`` itself is left unchanged)."""
    bos = int(tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id)
    if init is not None:
        torch.manual_seed(seed)
        model = copy.deepcopy(init)
    else:
        model = new_model(recipe, len(tokenizer), bos, seed)
    rows = encode(tokenizer, texts, recipe.max_tokens)
    rng = np.random.default_rng(seed)
    with torch_threads():
        opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
        steps = recipe.epochs * max(1, -(-len(rows) // recipe.batch_size))
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 20) * max(0.05, 1 - s / steps))
        model.train()
        for _ in range(recipe.epochs):
            order = rng.permutation(len(rows))
            for start in range(0, len(rows), recipe.batch_size):
                batch = [rows[i] for i in order[start : start + recipe.batch_size]]
                ids, mask = pad_batch(batch, bos)
                labels = ids.masked_fill(mask == 0, -100)
                loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
    model.eval()
    return model


def save_causal_lm(model: Any, tokenizer: Any, directory: Path) -> Path:
    """Write ``model`` (safetensors) and its tokenizer to ``directory``, loadable by ``from_pretrained``."""
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory
