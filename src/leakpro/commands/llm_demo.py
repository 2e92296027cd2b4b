"""The embedded language-model audit (``leakpro demo --llm``): a tiny GPT-2 fine-tuned here on fortunes.

Layout (all disjoint, drawn with the seed from the shipped ``fortunes`` corpus):

- *public* texts: train the byte-level BPE tokenizer and a small GPT-2 from scratch, the **base** model. The
  attacker knows the base (a public pre-trained checkpoint), so it serves as the reference LM.
- *candidates*: half of them, the members, fine-tune the base into the **target**, for enough epochs that it
  memorises them; the other half never trains anything. Random-secret **canaries** are added to the target's
  fine-tuning data at chosen repetition counts (0 = never inserted, the control).
- *null* texts: fine-tune the base into the **null** model, same recipe and size, no candidate and no canary: the
  same audit on it must find nothing.
- **LiRA/RMIA** reference LMs: the base fine-tuned on random halves of the candidates (the attacker's own halves);
  **offline RMIA** reference LMs: the base fine-tuned on random halves of *population* texts (never candidates).
  The audit trains both through the reference-model bank (its cache, and an executor if given).

The blind baseline runs on the random split, and, as its self-test, on a deliberately shifted split (members from
one fortune file, non-members from another), where it must be flagged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from leakpro.attacks.llm.canaries import Canary, make_canaries, training_copies
from leakpro.audit.llm import CanarySetup, LLMAuditPlan
from leakpro.audit.llm_references import LMReferences
from leakpro.config.llm import LMRecipe
from leakpro.data.fortunes import load_fortunes
from leakpro.targets.causal_lm import hf_causal_lm
from leakpro.targets.lm_trainer import CausalLMTrainer
from leakpro.training.causal_lm import train_causal_lm, train_tokenizer

CANARY_TEMPLATE = "the secret number"


@dataclass(frozen=True)
class EmbeddedSizes:
    candidates: int = 400
    public: int = 1600
    base_epochs: int = 6
    finetune_epochs: int = 20
    finetune_lr: float = 3e-3
    lira_models: int = 4
    offline_models: int = 4
    canaries_per_count: int = 4
    repetitions: tuple[int, ...] = (0, 1, 4, 16)
    n_embd: int = 64
    canary_samples: int = 1000  # random secrets each canary's exposure is ranked against
    self_test_permutations: int = 20  # label permutations of the shifted split's blind self-test (in its result)


# the test-sized demo: 120 candidates (two batches per reference LM), 4 canaries per repetition count (with 3 the
# t-interval, df = 2, let one unmemorised canary hide the rise: seeds 2 and 5 of the former 200-candidate size).
# Seeds 0-7: every target attack's AUC lower end 0.77-0.90, exposure rising on the target only, every null interval
# holding 0.5 except one on seed 5 (upper end 0.495; eight 95 % intervals each miss now and then, at any size)
QUICK = EmbeddedSizes(candidates=120, public=300, base_epochs=4, lira_models=2,
                      offline_models=2, canaries_per_count=4, repetitions=(0, 4, 16), canary_samples=300,
                      self_test_permutations=5)


@dataclass(frozen=True)
class EmbeddedLLM:
    plan: LLMAuditPlan
    tokenizer: Any
    models: dict[str, Any]  # name -> transformers model (base, target, null)
    canaries: tuple[Canary, ...]
    train_seconds: float


def shifted_split(seed: int, per_side: int = 180, members_from: str = "computers",
                  non_members_from: str = "literature") -> tuple[list[str], np.ndarray]:
    """Members from one fortune file and non-members from another: a split that leaks by itself."""
    frame = load_fortunes()
    rng = np.random.default_rng([seed, 7])
    a = frame.loc[frame["source"] == members_from, "text"].to_numpy()
    b = frame.loc[frame["source"] == non_members_from, "text"].to_numpy()
    n = min(per_side, len(a), len(b))
    texts = [*rng.choice(a, n, replace=False), *rng.choice(b, n, replace=False)]
    return [str(t) for t in texts], np.r_[np.ones(n), np.zeros(n)].astype(bool)


def build_embedded(seed: int = 0, quick: bool = False, sizes: EmbeddedSizes | None = None,
                   say: Any = None) -> EmbeddedLLM:
    """Train tokenizer, base, target and null; return the audit plan over them (its reference LMs are trained by
    the audit, through the reference-model bank)."""
    sz = sizes or (QUICK if quick else EmbeddedSizes())
    say = say or (lambda _m: None)
    start = time.perf_counter()
    texts = load_fortunes()["text"].tolist()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(texts))
    n_c, n_p = sz.candidates, sz.public
    candidates = [texts[i] for i in order[:n_c]]
    public = [texts[i] for i in order[n_c : n_c + n_p]]
    null_texts = [texts[i] for i in order[n_c + n_p : n_c + n_p + n_c // 2]]
    population = [texts[i] for i in order[n_c + n_p + n_c // 2 : 2 * n_c + n_p + n_c // 2]]  # offline references
    members = rng.permutation(n_c) < n_c // 2
    recipe = LMRecipe(n_embd=sz.n_embd, n_head=4, n_layer=2, max_tokens=64, epochs=sz.base_epochs, lr=3e-3)
    tune = recipe.model_copy(update={"epochs": sz.finetune_epochs, "lr": sz.finetune_lr})
    say(f"tokenizer and base GPT-2 on {n_p} public texts")
    tok = train_tokenizer(public, vocab_size=1000)
    base = train_causal_lm(public, tok, recipe, seed)
    canaries = tuple(make_canaries(CANARY_TEMPLATE, 6, dict.fromkeys(sz.repetitions, sz.canaries_per_count),
                                   np.random.default_rng([seed, 1])))
    say(f"target: base fine-tuned on {int(members.sum())} members + {len(training_copies(canaries))} canary copies")
    target = train_causal_lm([t for t, m in zip(candidates, members, strict=True) if m] + training_copies(canaries),
                             tok, tune, seed + 1, init=base)
    say(f"null: base fine-tuned on {len(null_texts)} non-candidate texts")
    null = train_causal_lm(null_texts, tok, tune, seed + 2, init=base)
    models = {"base": base, "target": target, "null": null}
    references = LMReferences(CausalLMTrainer(base, tok, tune), models=sz.lira_models,
                              population=tuple(population), offline_models=sz.offline_models)
    plan = LLMAuditPlan(
        name="demo-llm-fortunes", seed=seed, texts=tuple(candidates), members=members,
        target=hf_causal_lm(target, tok, "target"), null=hf_causal_lm(null, tok, "null"),
        reference=hf_causal_lm(base, tok, "base (reference)"), references=references,
        canaries=CanarySetup(CANARY_TEMPLATE, 6, canaries, samples=sz.canary_samples),
        split=f"{n_c} fortunes drawn at random from the corpus; a random half fine-tuned the target",
        notes=(f"tiny GPT-2 ({sz.n_embd}-dim, 2 layers), base trained {sz.base_epochs} epochs on {n_p} public "
               f"fortunes, fine-tuned {sz.finetune_epochs} epochs; the reference LM is the public base",))
    return EmbeddedLLM(plan, tok, models, canaries, time.perf_counter() - start)


def run_llm_demo(out: Path, seed: int = 0, quick: bool = False, console: Any = None, pdf: bool = True,
                 say: Any = None, report: bool = True, executor: Any = None) -> Path:
    """Build the embedded setup, audit target and null, write llm_results.json and (``report``) the report.
    Progress lines go to ``say`` if given, else to the rich ``console``."""
    from leakpro.audit.llm import run_llm_audit, write_llm_results
    from leakpro.audit.llm_blind import blind_baseline

    def _console_say(msg: str) -> None:
        if console is not None:
            console.print(f"[dim]·[/] {msg}")

    say = say or _console_say

    sizes = QUICK if quick else EmbeddedSizes()
    built = build_embedded(seed, sizes=sizes, say=say)
    result, tables = run_llm_audit(built.plan, cache=out / "cache", progress=say, executor=executor)
    texts, members = shifted_split(seed)
    self_test = blind_baseline(texts, members, folds=5, random_state=seed, permutations=sizes.self_test_permutations)
    result = result.model_copy(update={"blind_self_test": self_test})
    path = write_llm_results(result, tables, out)
    if console is not None:
        from leakpro.commands.llm_tables import llm_table

        console.print(llm_table(result))
        console.print(f"Results: {path}")
    if report:
        from leakpro.report import render_report_dir

        render_report_dir(out, out, pdf=pdf)
    return path
