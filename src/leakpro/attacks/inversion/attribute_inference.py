"""Attribute inference on tabular models, Fredrikson-style candidate enumeration, against imputation.

Threat model: scores (black box). The attacker knows a person's record except one sensitive categorical
attribute s, knows the person's label y, can query the target's scores, and holds population data of the
same kind (records known not to be in the training data). Attack (Fredrikson et al., USENIX Security 2014,
as restated by Yeom et al., CSF 2018): for every candidate value v of s, fill in v and query the target;
guess

    argmax_v  log p_θ(y | x_{−s}, s = v) + log π(v)

where π is the attacker's prior on s from population data: ``prior="marginal"`` (Fredrikson's marginal
of s), ``"imputation"`` (π(v | x_{−s}) from a classifier fit on the population without the label, so
the target model acts as the likelihood of y in Bayes' rule), or ``"none"`` (the pure Yeom variant).

Baseline that matters: imputing s from the other columns and y with a model fit on the population data
alone, with no access to the target. A high attack accuracy that the baseline matches is imputation, not
leakage. A learned attacker (:func:`learned_attack`, a classifier from the target's outputs to s fit on
population records) is reported beside the enumeration. Accuracies are reported separately for members
and non-members with Clopper–Pearson intervals; the target leaks the attribute when the members'
accuracy beats both the baseline and the non-members'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from leakpro.attacks.inversion.results import AttributeInferenceResult, rate
from leakpro.federated.data import CategoricalColumn, TabularSchema
from leakpro.signals.math import log_prob_true

LogitsFn = Callable[[np.ndarray], np.ndarray]


class AttributeInferenceParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    attribute: str
    prior: Literal["marginal", "imputation", "none"] = "imputation"


def find_column(schema: TabularSchema, name: str) -> CategoricalColumn:
    for column in schema.categorical:
        if column.name == name:
            return column
    raise ValueError(f"attribute {name!r} is not a categorical column; use one of "
                     f"{[c.name for c in schema.categorical]}")


def column_values(x: np.ndarray, column: CategoricalColumn) -> np.ndarray:
    """Level index of the one-hot block ``column`` in encoded rows ``x``."""
    return x[:, column.start:column.stop].argmax(axis=1)


def enumeration_scores(logits: LogitsFn, x: np.ndarray, y: np.ndarray, column: CategoricalColumn) -> np.ndarray:
    """(N, levels): log p_θ(y | x with s set to each level) — one target query per record and level."""
    scores = np.empty((x.shape[0], column.stop - column.start))
    for v in range(scores.shape[1]):
        filled = x.copy()
        filled[:, column.start:column.stop] = 0.0
        filled[:, column.start + v] = 1.0
        scores[:, v] = log_prob_true(logits(filled), y)
    return scores


def learned_attack(logits: LogitsFn, x: np.ndarray, y: np.ndarray, column: CategoricalColumn,
                   population_x: np.ndarray, population_y: np.ndarray, prior_model: Any, seed: int) -> np.ndarray:
    """The learned attacker: a multinomial logistic regression from the target's outputs to s.

    Inputs per record: the enumeration scores (centred per record) and the label-free imputation prior
    (log-probabilities); fit on population records, whose s the attacker knows. It learns how the target
    behaves on non-members only, so it shows what outputs reveal in general rather than memorisation.
    """
    from sklearn.linear_model import LogisticRegression

    def inputs(rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
        e = enumeration_scores(logits, rows, labels, column)
        return np.c_[e - e.mean(axis=1, keepdims=True), np.log(imputer_proba(prior_model, rows, None, column))]

    model = LogisticRegression(max_iter=500, random_state=seed)
    model.fit(inputs(population_x, population_y), column_values(population_x, column))
    return np.asarray(model.predict(inputs(x, y)), dtype=np.int64)


class AttributeInference:
    """Fredrikson-style enumeration; ``run`` returns the guessed level index per record."""

    name = "attribute_inference"
    paper = "Fredrikson et al., Privacy in Pharmacogenetics, USENIX Security 2014; Yeom et al., CSF 2018"

    def __init__(self, *, random_state: int = 0, **params: object) -> None:
        self.params = AttributeInferenceParams(**params)  # type: ignore[arg-type]
        self.random_state = random_state

    def run(self, logits: LogitsFn, x: np.ndarray, y: np.ndarray, schema: TabularSchema,
            population_x: np.ndarray, population_y: np.ndarray, prior_model: Any = None) -> np.ndarray:
        """Guessed level per record; ``prior_model`` reuses a fitted label-free imputer (``fit_imputer``)."""
        column = find_column(schema, self.params.attribute)
        levels = column.stop - column.start
        scores = enumeration_scores(logits, x, y, column)
        if self.params.prior == "marginal":
            counts = np.bincount(column_values(population_x, column), minlength=levels) + 1.0  # add-one smoothing
            scores += np.log(counts / counts.sum())
        elif self.params.prior == "imputation":
            if prior_model is None:
                prior_model = fit_imputer(population_x, population_y, column, self.random_state, with_label=False)
            scores += np.log(imputer_proba(prior_model, x, None, column))
        return scores.argmax(axis=1)


def _inputs(rows: np.ndarray, labels: np.ndarray | None, column: CategoricalColumn) -> np.ndarray:
    other = np.delete(rows, np.arange(column.start, column.stop), axis=1)
    return other if labels is None else np.c_[other, labels]


def fit_imputer(population_x: np.ndarray, population_y: np.ndarray, column: CategoricalColumn, seed: int,
                with_label: bool) -> Any:
    """A classifier of s from the other columns (and the label) fit on population data only."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_iter=50, random_state=seed)
    model.fit(_inputs(population_x, population_y if with_label else None, column), column_values(population_x, column))
    return model


def imputer_proba(model: Any, x: np.ndarray, y: np.ndarray | None, column: CategoricalColumn,
                  floor: float = 1e-4) -> np.ndarray:
    """(N, levels) probabilities of every level (levels absent from the population get ``floor``)."""
    proba = np.full((x.shape[0], column.stop - column.start), floor)
    proba[:, model.classes_] = np.maximum(model.predict_proba(_inputs(x, y, column)), floor)
    return proba / proba.sum(axis=1, keepdims=True)


def attribute_inference_audit(
    logits: LogitsFn, schema: TabularSchema, data: dict[str, np.ndarray], attribute: str, seed: int,
    prior: Literal["marginal", "imputation", "none"] = "imputation",
) -> AttributeInferenceResult:
    """Attack and baseline on members and non-members. ``data`` holds ``{members,non_members,population}_{x,y}``.

    The challenger calls this: it knows which records are members; the attack and the baseline do not.
    """
    column = find_column(schema, attribute)
    attack = AttributeInference(attribute=attribute, prior=prior, random_state=seed)
    imputer = fit_imputer(data["population_x"], data["population_y"], column, seed, with_label=True)
    prior_model = fit_imputer(data["population_x"], data["population_y"], column, seed, with_label=False)
    learned: dict[str, tuple[int, int]] = {}
    acc: dict[str, tuple[int, int]] = {}
    base: dict[str, tuple[int, int]] = {}
    for group in ("members", "non_members"):
        x, y = data[f"{group}_x"], data[f"{group}_y"]
        truth = column_values(x, column)
        guess = attack.run(logits, x, y, schema, data["population_x"], data["population_y"], prior_model)
        imputed = imputer_proba(imputer, x, y, column).argmax(axis=1)
        acc[group] = (int((guess == truth).sum()), truth.size)
        guess = learned_attack(logits, x, y, column, data["population_x"], data["population_y"], prior_model, seed)
        learned[group] = (int((guess == truth).sum()), truth.size)
        base[group] = (int((imputed == truth).sum()), truth.size)
    m, n = rate(*acc["members"]), rate(*acc["non_members"])
    bm, bn = rate(*base["members"]), rate(*base["non_members"])
    return AttributeInferenceResult(
        attribute=attribute, prior=prior, candidates=list(column.levels), members=m, non_members=n,
        baseline_members=bm, baseline_non_members=bn, lift_members=m.value - bm.value,
        lift_non_members=n.value - bn.value, leaks_beyond_imputation=m.low > max(bm.high, n.high),
        learned_members=rate(*learned["members"]), learned_non_members=rate(*learned["non_members"]),
        n_members=acc["members"][1], n_non_members=acc["non_members"][1], seed=seed,
    )
