"""Audits from a notebook: models and data in memory, results that display themselves.

A face beside the command line and the web app. :func:`audit_model` audits a fitted model on data held in memory
through the CLI's own config, plan and runner (:mod:`leakpro.audit.in_memory`); :func:`audit_synthetic` runs the
synthetic-data audit on DataFrames; :func:`audit_llm` audits a causal language model on texts
(:mod:`leakpro.notebook.llm`); each returns a result that shows page one's verdict, the attack table and a ROC
in a notebook cell, turn into DataFrames (``.to_frame()``), write the report (``.report(dir)``) and save
(``.save(dir)``, read back with :func:`load_result`).

>>> import leakpro
>>> from sklearn.linear_model import LogisticRegression
>>> # model = LogisticRegression().fit(X_train, y_train)
>>> # audit = leakpro.audit_model(model, members=(X_train, y_train), non_members=(X_test, y_test))
>>> # audit            # in a notebook: the verdict, the attacks with their intervals, a ROC
>>> # audit.to_frame() # one row per target × attack
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from leakpro.audit.progress import ProgressSink
from leakpro.notebook.llm import LLMAudit, audit_llm
from leakpro.notebook.progress import TqdmProgress, progress_sink
from leakpro.notebook.results import ModelAudit, SyntheticAudit, load_result, temporary_folder

__all__ = ["LLMAudit", "ModelAudit", "SyntheticAudit", "audit_llm", "audit_model", "audit_synthetic", "load_result"]


def audit_model(
    model: Any,
    *,
    members: tuple[Any, Any],
    non_members: tuple[Any, Any],
    population: tuple[Any, Any] | None = None,
    attacks: str | list[Any] = "all",
    reference_models: int | None = 8,
    threat_model: str = "scores",
    recipe: Any = None,
    seed: int = 0,
    name: str | None = None,
    data_name: str = "in-memory data",
    out: str | Path | None = None,
    cache_dir: str | Path | None = None,
    progress: bool | ProgressSink = True,
) -> ModelAudit:
    """Audit ``model`` for membership inference: could an attacker tell ``members`` (its training records) from
    ``non_members``?

    ``model`` is a fitted scikit-learn estimator or pipeline, an XGBoost / LightGBM model of their scikit-learn
    API, a ``torch.nn.Module`` returning logits, or any object with ``predict_proba`` (or ``predict``: audit it
    with ``threat_model="labels"``). ``members``, ``non_members`` and ``population`` (records the attacker knows
    were not in training; needed by some attacks) are ``(X, y)`` with X a DataFrame, ndarray or tensor.

    Reference models ("shadow" models trained like the target on random halves of the candidates): a
    scikit-learn style model is copied with ``sklearn.base.clone`` and refit (the results' notes say so); a torch
    module trains from ``recipe`` (a :class:`~leakpro.config.recipe.TorchRecipe` or dict: optimizer, lr,
    epochs, batch_size, ...; by default fresh copies of the module itself). ``reference_models`` is their
    number; ``attacks`` is ``"all"`` or a list as in a config (``["loss", {"rmia": {"mode": "offline"}}]``).

    The audit is the CLI's: the same config checks (every problem at once, as a ConfigError), game, reference
    model cache, attacks and metrics. Results go to ``out`` (a folder) when given, else to a temporary folder kept
    while the result lives; ``cache_dir`` keeps reference models across calls. ``progress=False`` is silent.
    """
    from leakpro.audit.in_memory import in_memory_config, run_in_memory

    built = in_memory_config(model, members=members, non_members=non_members, population=population,
                             attacks=attacks, reference_models=reference_models, threat_model=threat_model,
                             recipe=recipe, seed=seed, name=name, data_name=data_name)
    keep = temporary_folder() if out is None else None
    folder = Path(keep.name if keep is not None else str(out))
    sink = progress_sink(progress)
    try:
        result = run_in_memory(built, out=folder, cache_dir=cache_dir, progress=sink)
    finally:
        if isinstance(sink, TqdmProgress):
            sink.close()
    held = built.objects.get(data_name)
    return ModelAudit(result, folder, frame=held if isinstance(held, pd.DataFrame) else None, keep=keep)


def audit_synthetic(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    control: pd.DataFrame,
    *,
    secrets: list[str] | None = None,
    aux_columns: list[str] | None = None,
    column_types: dict[str, str] | None = None,
    n_attacks: int | None = None,
    seed: int = 0,
    out: str | Path | None = None,
    progress: bool | ProgressSink = True,
) -> SyntheticAudit:
    """Audit ``synthetic`` (made from ``real``) against ``control`` (real records the generator never saw):
    singling out, linkability, attribute inference and membership, as ``leakpro synthetic`` does; see
    :func:`leakpro.synthetic.runner.audit_synthetic`. Results go to ``out`` (``synthetic_results.json``) when
    given, else to a temporary folder kept while the result lives."""
    from leakpro.report.inputs import SYNTHETIC_RESULTS_FILE as RESULTS_FILE
    from leakpro.synthetic.runner import audit_synthetic as run_synthetic_audit

    sink = progress_sink(progress)

    def step(attack: str, done: int, total: int) -> None:
        sink.attack("synthetic table", attack, done, total)

    try:
        result = run_synthetic_audit(real, synthetic, control, secrets=secrets, aux_columns=aux_columns,
                                     column_types=column_types, n_attacks=n_attacks, seed=seed, progress=step)
    finally:
        if isinstance(sink, TqdmProgress):
            sink.close()
    keep = temporary_folder() if out is None else None
    folder = Path(keep.name if keep is not None else str(out))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RESULTS_FILE).write_text(result.to_json())
    return SyntheticAudit(result, folder, keep=keep)
