"""``leakpro audit CONFIG`` with an ``llm:`` section: audit a causal LM saved in a directory.

Reads the validated config (:mod:`leakpro.config.llm`), loads the target (and null) with
:func:`~leakpro.targets.causal_lm.load_causal_lm` (safetensors, no remote code), the candidate texts with their
membership column (the secret, read by the challenger only), and the attacker's population texts. The reference LM
is ``reference.path`` if given, else a small GPT-2 trained here on the population with the target's tokenizer; the
LiRA/RMIA reference LMs are that reference fine-tuned on random halves of the candidates (``reference.models``),
and the offline RMIA ones on random halves of the population (``reference.offline_models``), all trained through
the reference-model bank, its cache and the config's ``executor``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leakpro.attacks.llm.canaries import Canary
from leakpro.audit.llm import CanarySetup, LLMAuditPlan, run_llm_audit, write_llm_results
from leakpro.audit.llm_references import LMReferences
from leakpro.compute import make_executor
from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.llm import LLMAuditConfig, TextsSpec
from leakpro.targets.causal_lm import TorchCausalLM, hf_causal_lm, load_causal_lm
from leakpro.targets.lm_trainer import CausalLMTrainer
from leakpro.training.causal_lm import train_causal_lm


def read_texts(spec: TextsSpec, field: str) -> tuple[list[str], np.ndarray | None]:
    """Texts (and the member flags, when the spec names a member column) from a CSV or JSON-lines file."""
    frame = pd.read_csv(spec.file) if spec.file.suffix.lower() == ".csv" else pd.read_json(spec.file, lines=True)
    issues = [ConfigIssue(f"{field}.{key}", f"no column {col!r} in {spec.file.name}",
                          f"use one of {list(frame.columns)}")
              for key, col in (("text_column", spec.text_column), ("member_column", spec.member_column))
              if col is not None and col not in frame.columns]
    if issues:
        raise ConfigError(issues)
    texts = frame[spec.text_column].astype(str).tolist()
    if spec.member_column is None:
        return texts, None
    raw = frame[spec.member_column]
    members = raw.astype(str).str.lower().map({"true": True, "false": False, "1": True, "0": False})
    if members.isna().any():
        raise ConfigError([ConfigIssue(f"{field}.member_column", "must hold true/false (or 1/0)",
                                       "mark each text as trained on or not", str(raw[members.isna()].iloc[0]))])
    return texts, members.to_numpy(dtype=bool)


def _references(config: LLMAuditConfig, texts: list[str], say: Any) -> tuple[TorchCausalLM, LMReferences]:
    """The reference LM (given, or trained on the population) and the recipe of the bank's reference LMs."""
    from transformers import AutoTokenizer

    llm = config.llm
    tokenizer = AutoTokenizer.from_pretrained(llm.target.path, trust_remote_code=False, local_files_only=True)
    population: list[str] = []
    if llm.population is not None:
        population, _ = read_texts(llm.population.model_copy(update={"member_column": None}), "llm.population")
    if llm.reference.path is not None:
        base = load_causal_lm(llm.reference.path, "reference").module
        ref_tok = AutoTokenizer.from_pretrained(llm.reference.path, trust_remote_code=False, local_files_only=True)
    elif population:
        say(f"training a reference LM on {len(population)} population texts")
        base, ref_tok = train_causal_lm(population, tokenizer, llm.reference.recipe, config.seed), tokenizer
    else:
        raise ConfigError([ConfigIssue("llm.population", "reference LMs need population texts",
                                       "add population: {file: ...} or give reference.path")])
    candidates = set(texts)
    offline_population = tuple(t for t in population if t not in candidates)
    if len(offline_population) < len(population):
        say(f"{len(population) - len(offline_population)} population texts are also candidates: offline reference "
            "LMs leave them out")
    trainer = CausalLMTrainer(base, ref_tok, llm.reference.recipe, llm.batch_size)
    refs = LMReferences(trainer, models=llm.reference.models, population=offline_population,
                        offline_models=llm.reference.offline_models)
    return hf_causal_lm(base, ref_tok, "reference"), refs


def build_plan(config: LLMAuditConfig, say: Any = None) -> LLMAuditPlan:
    say = say or (lambda _m: None)
    llm = config.llm
    texts, members = read_texts(llm.texts, "llm.texts")
    if members is None:  # parse_llm_config refuses this already; kept for callers that build configs by hand
        raise ConfigError([ConfigIssue("llm.texts.member_column", "the candidates need a member column",
                                       "name the true/false column that says which texts were trained on")])
    say(f"loading the target from {llm.target.path}")
    target = load_causal_lm(llm.target.path, "target")
    null = load_causal_lm(llm.null_target.path, "null") if llm.null_target is not None else None
    names = llm.attack_names()
    reference: TorchCausalLM | None = None
    references: LMReferences | None = None
    if {"reference", "lira", "rmia", "rmia_offline"} & set(names):
        reference, references = _references(config, texts, say)
    canaries = None
    if llm.canaries is not None:
        c = llm.canaries
        canaries = CanarySetup(c.prefix, c.digits, tuple(Canary(i.prefix or c.prefix, " ".join(i.secret.replace(
            " ", "")), i.repetitions) for i in c.inserted), samples=c.samples)
    return LLMAuditPlan(name=config.name, seed=config.seed, texts=tuple(texts), members=members, target=target,
                        null=null, reference=reference, references=references, attacks=names, min_k=llm.min_k,
                        blind_folds=llm.blind_baseline.folds, blind_max_ngram=llm.blind_baseline.max_ngram,
                        blind_permutations=llm.blind_baseline.permutations,
                        canaries=canaries, split=f"candidates from {llm.texts.file.name}", batch_size=llm.batch_size)


def run_llm_config(config: LLMAuditConfig, out: Path, console: Any = None, pdf: bool = True) -> Path:
    """Run the audit the config describes; write llm_results.json, the scores and the report into ``out``."""
    def say(msg: str) -> None:
        if console is not None:
            console.print(f"[dim]·[/] {msg}")

    plan = build_plan(config, say)
    executor = make_executor(config.executor)
    try:
        result, tables = run_llm_audit(plan, cache=out / "cache", progress=say, executor=executor)
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    path = write_llm_results(result, tables, out)
    if console is not None:
        from leakpro.commands.llm_tables import llm_table

        console.print(llm_table(result))
        console.print(f"Results: {path}")
    from leakpro.report import render_report_dir

    render_report_dir(out, out, pdf=pdf)
    return path
