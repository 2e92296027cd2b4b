"""Language-model audits from a notebook: a causal LM and its texts in memory, a result that displays itself.

:func:`audit_llm` runs the audit ``leakpro audit`` runs for an ``llm:`` section (:func:`~leakpro.audit.llm.
run_llm_audit`: every LM attack, the blind baseline on the texts alone, reference LMs through the reference-model
bank and an executor) on a ``transformers`` model and tokenizer held in memory, a ``save_pretrained`` directory,
or any :class:`~leakpro.targets.causal_lm.CausalLM`. :class:`LLMAudit` shows the attack table in a cell, turns into
a DataFrame (``.to_frame()``), writes the report (``.report(dir)``) and saves (``.save(dir)``).

>>> import leakpro
>>> # audit = leakpro.audit_llm(model, tokenizer, members=train_texts, non_members=held_out_texts,
>>> #                           population=public_texts)
>>> # audit.to_frame()   # one row per model × attack: AUC and TPR at low FPR with 95 % intervals
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.llm import LLM_ATTACKS, LMRecipe
from leakpro.notebook.results import _level_name, _ReadsThrough, temporary_folder
from leakpro.results.llm import LLMAuditResult

LLM_RESULTS_FILE = "llm_results.json"


class LLMAudit(_ReadsThrough):
    """A language-model audit's result in a notebook; attributes of the result read through (``audit.models``)."""

    _files = (LLM_RESULTS_FILE, "llm_scores")
    result: LLMAuditResult

    @property
    def scores(self) -> dict[str, pd.DataFrame]:
        """Per-text scores by model role: ``text``, ``member`` (the secret), one column per attack."""
        folder = self.directory / "llm_scores"
        return {p.stem: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}

    def to_frame(self) -> pd.DataFrame:
        """One row per model × attack: AUC and TPR at each FPR level with 95 % intervals, and the parameters."""
        rows = []
        for m in self.result.models:
            for a in m.attacks:
                row: dict[str, Any] = {
                    "model": m.name,
                    "role": m.role,
                    "attack": a.attack,
                    "auc": a.auc.value,
                    "auc_low": a.auc.low,
                    "auc_high": a.auc.high,
                }
                for op in a.tpr_at_fpr:
                    name = f"tpr@{_level_name(op.fpr_level)}"
                    row.update({name: op.tpr.value, f"{name}_low": op.tpr.low, f"{name}_high": op.tpr.high})
                row.update(advantage=a.advantage, params=dict(a.params), runtime_s=a.runtime_s)
                rows.append(row)
        return pd.DataFrame(rows)

    def _render(self) -> str:
        frame = self.to_frame()
        rows = "".join(
            f'<tr><td>{escape(r.role)}</td><td>{escape(r.attack)}</td><td class="num">{r.auc:.3f}</td>'
            f'<td class="num">[{r.auc_low:.3f}, {r.auc_high:.3f}]</td></tr>'
            for r in frame.itertuples()
        )
        blind = self.result.blind_baseline
        verdict = f"<p>Blind baseline (texts only): {escape(blind.verdict)}</p>" if blind is not None else ""
        return Markup(
            f'<div class="leakpro-nb"><div><b>LeakPro language-model audit</b> · {escape(self.result.name)}</div>'
            f"<div>{self.result.candidates:,} candidate texts ({self.result.members:,} members)</div>{verdict}"
            "<table><thead><tr><th>model</th><th>attack</th><th>AUC</th><th>95 %</th></tr></thead><tbody>"
            f"{rows}</tbody></table><div>.to_frame() for the figures, .report(dir) for the full report.</div></div>"
        )

    def __repr__(self) -> str:
        return f"<LLMAudit {self.result.name!r}: {len(self.to_frame())} attack results; results in {self.directory}>"


def _target(model: Any, tokenizer: Any, name: str) -> tuple[Any, Any, Any]:
    """(CausalLM, transformers module or None, tokenizer or None) for a model, a directory or a CausalLM."""
    from leakpro.targets.causal_lm import hf_causal_lm, load_causal_lm

    if isinstance(model, str | Path):
        from transformers import AutoTokenizer

        lm = load_causal_lm(Path(model), name)
        return lm, lm.module, AutoTokenizer.from_pretrained(model, trust_remote_code=False, local_files_only=True)
    if hasattr(model, "token_log_probs") and hasattr(model, "fingerprint"):
        return model, None, tokenizer
    if tokenizer is None:
        raise ConfigError(
            [
                ConfigIssue(
                    "tokenizer", "a transformers model needs its tokenizer", "pass audit_llm(model, tokenizer, ...)"
                )
            ]
        )
    return hf_causal_lm(model.eval(), tokenizer, name), model, tokenizer


def _problems(members: Sequence[str], non_members: Sequence[str], attacks: str | list[str]) -> list[ConfigIssue]:
    issues = []
    for field, texts in (("members", members), ("non_members", non_members)):
        if isinstance(texts, str) or len(texts) < 2 or not all(isinstance(t, str) and t for t in texts):
            issues.append(
                ConfigIssue(
                    field, "expected a list of at least 2 non-empty texts", "pass the texts as a list of strings"
                )
            )
    unknown = [] if attacks == "all" else [a for a in attacks if a not in LLM_ATTACKS]
    if unknown:
        issues.append(ConfigIssue("attacks", f"unknown attack(s) {unknown}", f"use 'all' or some of {LLM_ATTACKS}"))
    return issues


def audit_llm(
    model: Any,
    tokenizer: Any = None,
    *,
    members: Sequence[str],
    non_members: Sequence[str],
    population: Sequence[str] | None = None,
    null_model: Any = None,
    attacks: str | list[str] = "all",
    reference_models: int = 4,
    offline_models: int = 4,
    recipe: LMRecipe | dict[str, Any] | None = None,
    reference_model: Any = None,
    min_k: float = 0.2,
    seed: int = 0,
    name: str = "llm-audit",
    out: str | Path | None = None,
    cache_dir: str | Path | None = None,
    executor: Any = None,
    progress: bool = True,
) -> LLMAudit:
    """Could an attacker tell ``members`` (texts ``model`` was trained on) from ``non_members``?

    ``model``: a ``transformers`` causal LM with its ``tokenizer``, a ``save_pretrained`` directory (safetensors
    only, never remote code), or a :class:`~leakpro.targets.causal_lm.CausalLM`. ``population``: texts the
    attacker knows were not trained on; with it (or ``reference_model``, a public base LM) the reference, LiRA and
    RMIA attacks run: ``reference_models`` LMs on random halves of the candidates and ``offline_models`` on
    random halves of the population, fine-tuned from ``reference_model`` (or from a GPT-2 of ``recipe`` trained on
    the population), through ``executor`` (an :mod:`leakpro.compute` executor or a config ``executor:`` dict) and
    cached under ``cache_dir``. ``null_model``: the same model trained without the members (the null check).
    Problems with the arguments come all at once as a :class:`~leakpro.config.errors.ConfigError`.
    """
    from leakpro.audit.llm import LLMAuditPlan, run_llm_audit, write_llm_results

    issues = _problems(members, non_members, attacks)
    if issues:
        raise ConfigError(issues)
    target, _, tok = _target(model, tokenizer, "target")
    null = _target(null_model, tokenizer, "null")[0] if null_model is not None else None
    texts = [*members, *non_members]
    names = tuple(LLM_ATTACKS if attacks == "all" else attacks)
    reference, references = _references(
        tok, texts, population, reference_model, recipe, reference_models, offline_models, seed
    )
    plan = LLMAuditPlan(
        name=name,
        seed=seed,
        texts=tuple(texts),
        members=np.arange(len(texts)) < len(members),
        target=target,
        null=null,
        reference=reference,
        references=references,
        attacks=names,
        min_k=min_k,
        split="members and non-members given in the notebook",
    )
    keep = temporary_folder() if out is None else None
    folder = Path(keep.name if keep is not None else str(out))
    cache = Path(cache_dir) if cache_dir is not None else folder / "cache"
    result, tables = run_llm_audit(
        plan, cache=cache, progress=print if progress else None, executor=_executor(executor)
    )
    write_llm_results(result, tables, folder)
    return LLMAudit(result, folder, keep=keep)


def _executor(executor: Any) -> Any:
    if executor is None or not isinstance(executor, dict):
        return executor
    from leakpro.compute import make_executor
    from leakpro.config.schema import ExecutorSpec

    return make_executor(ExecutorSpec(**executor))


def _references(
    tok: Any,
    texts: list[str],
    population: Sequence[str] | None,
    reference_model: Any,
    recipe: LMRecipe | dict[str, Any] | None,
    k: int,
    k_offline: int,
    seed: int,
) -> tuple[Any, Any]:
    """The reference LM and the bank's recipe, when the attacker has population texts or a base LM; else None."""
    if tok is None or (population is None and reference_model is None):
        return None, None
    from leakpro.audit.llm_references import LMReferences
    from leakpro.targets.causal_lm import hf_causal_lm
    from leakpro.targets.lm_trainer import CausalLMTrainer
    from leakpro.training.causal_lm import train_causal_lm

    lm_recipe = recipe if isinstance(recipe, LMRecipe) else LMRecipe(**(recipe or {}))
    base = (
        reference_model
        if reference_model is not None
        else train_causal_lm(list(population or ()), tok, lm_recipe, seed)
    )
    candidates = set(texts)
    refs = LMReferences(
        CausalLMTrainer(base, tok, lm_recipe),
        models=k,
        offline_models=k_offline,
        population=tuple(t for t in (population or ()) if t not in candidates),
    )
    return hf_causal_lm(base, tok, "reference"), refs
