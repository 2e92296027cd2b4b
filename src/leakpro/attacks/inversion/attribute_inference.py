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
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.attacks.inversion.results import AttributeInferenceResult, rate
from leakpro.data.dataset import Features
from leakpro.data.tabular import CategoricalColumn, TabularSchema
from leakpro.signals.math import log_prob_true

LogitsFn = Callable[[Features], np.ndarray]


class AttributeInferenceParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    attribute: str
    prior: Literal["marginal", "imputation", "none"] = "imputation"


class AttributeCodec(Protocol):
    """How the attack reads, fills and hides one categorical attribute in a batch of records."""

    @property
    def name(self) -> str:
        """The attribute's column name."""
        ...

    @property
    def levels(self) -> tuple[str, ...]:
        """Its values, in the order of the level indices."""
        ...

    def values(self, x: Features) -> np.ndarray:
        """(N,) level index of the attribute in each record."""
        ...

    def fill(self, x: Features, level: int) -> Features:
        """A copy of ``x`` with the attribute set to ``levels[level]`` in every record."""
        ...

    def others(self, x: Features) -> np.ndarray:
        """(N, d) numeric view of every other column (NaN where unknown), for the imputation models."""
        ...


@dataclass(frozen=True)
class OneHotCodec:
    """The attribute is the one-hot block ``start:stop`` of numeric encoded rows (e.g. the built-in Adult MLP)."""

    column: CategoricalColumn

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def levels(self) -> tuple[str, ...]:
        return self.column.levels

    def values(self, x: Features) -> np.ndarray:
        return column_values(np.asarray(x), self.column)

    def fill(self, x: Features, level: int) -> Features:
        filled = np.array(x, copy=True)
        filled[:, self.column.start:self.column.stop] = 0.0
        filled[:, self.column.start + level] = 1.0
        return filled

    def others(self, x: Features) -> np.ndarray:
        return np.delete(np.asarray(x), np.arange(self.column.start, self.column.stop), axis=1)


@dataclass(frozen=True)
class FrameCodec:
    """The attribute is a column of DataFrame rows (targets that are scikit-learn pipelines over a table).

    ``levels`` are the column's values as strings (the schema, known to the attacker); ``fill`` writes the
    original value back, so the pipeline sees its own dtype. Other columns become numbers for the imputers:
    numeric ones as they are, the rest as codes over ``categories`` (NaN for unseen values).
    """

    name: str
    levels: tuple[str, ...]
    originals: tuple[Any, ...]  # the column's value for each level, as the pipeline expects it
    categories: dict[str, tuple[str, ...]]  # other non-numeric columns → their values

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, name: str) -> FrameCodec:
        if name not in frame.columns:
            raise ValueError(f"attribute {name!r} is not a column; use one of {list(frame.columns)}")
        uniques = frame[name].dropna().unique().tolist()
        pairs = sorted({str(v): v for v in uniques}.items())
        categories = {c: tuple(sorted(frame[c].dropna().astype(str).unique())) for c in frame.columns
                      if c != name and not pd.api.types.is_numeric_dtype(frame[c])}
        return cls(name, tuple(k for k, _ in pairs), tuple(v for _, v in pairs), categories)

    def values(self, x: Features) -> np.ndarray:
        index = {level: i for i, level in enumerate(self.levels)}
        column = _frame(x)[self.name].astype(str)
        unknown = sorted(set(column) - set(index))
        if unknown:
            raise ValueError(f"attribute {self.name!r} has values {unknown[:5]} outside its levels {list(self.levels)}")
        return column.map(index).to_numpy(dtype=np.int64)

    def fill(self, x: Features, level: int) -> Features:
        filled = _frame(x).copy()
        filled[self.name] = self.originals[level]
        return filled

    def others(self, x: Features) -> np.ndarray:
        frame = _frame(x)
        parts = []
        for c in frame.columns:
            if c == self.name:
                continue
            if c in self.categories:
                codes = pd.Categorical(frame[c].astype(str), categories=list(self.categories[c])).codes
                parts.append(np.where(codes < 0, np.nan, codes).astype(np.float64))
            else:
                parts.append(frame[c].to_numpy(dtype=np.float64))
        return np.column_stack(parts) if parts else np.zeros((len(frame), 0))


def _frame(x: Features) -> pd.DataFrame:
    if not isinstance(x, pd.DataFrame):
        raise TypeError("a FrameCodec reads DataFrame rows")
    return x


def find_column(schema: TabularSchema, name: str) -> CategoricalColumn:
    for column in schema.categorical:
        if column.name == name:
            return column
    raise ValueError(f"attribute {name!r} is not a categorical column; use one of "
                     f"{[c.name for c in schema.categorical]}")


def onehot_column(feature_names: tuple[str, ...] | list[str], name: str) -> CategoricalColumn | None:
    """The one-hot block of ``name`` in encoded feature names ``name=level`` (contiguous), or None."""
    prefix = f"{name}="
    positions = [i for i, f in enumerate(feature_names) if f.startswith(prefix)]
    if not positions or positions != list(range(positions[0], positions[-1] + 1)):
        return None
    levels = tuple(feature_names[i][len(prefix):] for i in positions)
    return CategoricalColumn(name, positions[0], positions[-1] + 1, levels)


def onehot_attributes(feature_names: tuple[str, ...] | list[str]) -> list[str]:
    """Names of the attributes encoded as ``name=level`` blocks."""
    return list(dict.fromkeys(f.split("=", 1)[0] for f in feature_names if "=" in f))


def as_codec(schema: TabularSchema | AttributeCodec, attribute: str) -> AttributeCodec:
    """A codec for ``attribute``: from a one-hot schema, or the codec itself (its name must match)."""
    if isinstance(schema, TabularSchema):
        return OneHotCodec(find_column(schema, attribute))
    if schema.name != attribute:
        raise ValueError(f"the codec reads {schema.name!r}, not {attribute!r}")
    return schema


def column_values(x: np.ndarray, column: CategoricalColumn) -> np.ndarray:
    """Level index of the one-hot block ``column`` in encoded rows ``x``."""
    return x[:, column.start:column.stop].argmax(axis=1)


def enumeration_scores(logits: LogitsFn, x: Features, y: np.ndarray, column: AttributeCodec) -> np.ndarray:
    """(N, levels): log p_θ(y | x with s set to each level) — one target query per record and level."""
    scores = np.empty((len(y), len(column.levels)))
    for v in range(scores.shape[1]):
        scores[:, v] = log_prob_true(logits(column.fill(x, v)), y)
    return scores


def learned_attack(logits: LogitsFn, x: Features, y: np.ndarray, column: AttributeCodec,
                   population_x: Features, population_y: np.ndarray, prior_model: Any, seed: int) -> np.ndarray:
    """The learned attacker: a multinomial logistic regression from the target's outputs to s.

    Inputs per record: the enumeration scores (centred per record) and the label-free imputation prior
    (log-probabilities); fit on population records, whose s the attacker knows. It learns how the target
    behaves on non-members only, so it shows what outputs reveal in general rather than memorisation.
    """
    from sklearn.linear_model import LogisticRegression

    def inputs(rows: Features, labels: np.ndarray) -> np.ndarray:
        e = enumeration_scores(logits, rows, labels, column)
        return np.c_[e - e.mean(axis=1, keepdims=True), np.log(imputer_proba(prior_model, rows, None, column))]

    model = LogisticRegression(max_iter=500, random_state=seed)
    model.fit(inputs(population_x, population_y), column.values(population_x))
    return np.asarray(model.predict(inputs(x, y)), dtype=np.int64)


class AttributeInference:
    """Fredrikson-style enumeration; ``run`` returns the guessed level index per record."""

    name = "attribute_inference"
    paper = "Fredrikson et al., Privacy in Pharmacogenetics, USENIX Security 2014; Yeom et al., CSF 2018"

    def __init__(self, *, random_state: int = 0, **params: object) -> None:
        self.params = AttributeInferenceParams(**params)  # type: ignore[arg-type]
        self.random_state = random_state

    def run(self, logits: LogitsFn, x: Features, y: np.ndarray, schema: TabularSchema | AttributeCodec,
            population_x: Features, population_y: np.ndarray, prior_model: Any = None) -> np.ndarray:
        """Guessed level per record; ``prior_model`` reuses a fitted label-free imputer (``fit_imputer``)."""
        column = as_codec(schema, self.params.attribute)
        scores = enumeration_scores(logits, x, y, column)
        if self.params.prior == "marginal":
            counts = np.bincount(column.values(population_x), minlength=len(column.levels)) + 1.0  # add-one
            scores += np.log(counts / counts.sum())
        elif self.params.prior == "imputation":
            if prior_model is None:
                prior_model = fit_imputer(population_x, population_y, column, self.random_state, with_label=False)
            scores += np.log(imputer_proba(prior_model, x, None, column))
        return scores.argmax(axis=1)


def _inputs(rows: Features, labels: np.ndarray | None, column: AttributeCodec) -> np.ndarray:
    other = column.others(rows)
    return other if labels is None else np.c_[other, labels]


def fit_imputer(population_x: Features, population_y: np.ndarray, column: AttributeCodec, seed: int,
                with_label: bool) -> Any:
    """A classifier of s from the other columns (and the label) fit on population data only."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_iter=50, random_state=seed)
    model.fit(_inputs(population_x, population_y if with_label else None, column), column.values(population_x))
    return model


def imputer_proba(model: Any, x: Features, y: np.ndarray | None, column: AttributeCodec,
                  floor: float = 1e-4) -> np.ndarray:
    """(N, levels) probabilities of every level (levels absent from the population get ``floor``)."""
    proba = np.full((len(x), len(column.levels)), floor)
    proba[:, model.classes_] = np.maximum(model.predict_proba(_inputs(x, y, column)), floor)
    return proba / proba.sum(axis=1, keepdims=True)


def attribute_inference_audit(
    logits: LogitsFn, schema: TabularSchema | AttributeCodec, data: dict[str, Any], attribute: str, seed: int,
    prior: Literal["marginal", "imputation", "none"] = "imputation", target: str = "target",
) -> AttributeInferenceResult:
    """Attack and baseline on members and non-members. ``data`` holds ``{members,non_members,population}_{x,y}``.

    The challenger calls this: it knows which records are members; the attack and the baseline do not.
    ``target`` names the audited model's role in the result ("target", "null", a defence).
    """
    column = as_codec(schema, attribute)
    attack = AttributeInference(attribute=attribute, prior=prior, random_state=seed)
    imputer = fit_imputer(data["population_x"], data["population_y"], column, seed, with_label=True)
    prior_model = fit_imputer(data["population_x"], data["population_y"], column, seed, with_label=False)
    learned: dict[str, tuple[int, int]] = {}
    acc: dict[str, tuple[int, int]] = {}
    base: dict[str, tuple[int, int]] = {}
    for group in ("members", "non_members"):
        x, y = data[f"{group}_x"], data[f"{group}_y"]
        truth = column.values(x)
        guess = attack.run(logits, x, y, column, data["population_x"], data["population_y"], prior_model)
        imputed = imputer_proba(imputer, x, y, column).argmax(axis=1)
        acc[group] = (int((guess == truth).sum()), truth.size)
        guess = learned_attack(logits, x, y, column, data["population_x"], data["population_y"], prior_model, seed)
        learned[group] = (int((guess == truth).sum()), truth.size)
        base[group] = (int((imputed == truth).sum()), truth.size)
    m, n = rate(*acc["members"]), rate(*acc["non_members"])
    bm, bn = rate(*base["members"]), rate(*base["non_members"])
    return AttributeInferenceResult(
        target=target, attribute=attribute, prior=prior, candidates=list(column.levels), members=m, non_members=n,
        baseline_members=bm, baseline_non_members=bn, lift_members=m.value - bm.value,
        lift_non_members=n.value - bn.value, leaks_beyond_imputation=m.low > max(bm.high, n.high),
        learned_members=rate(*learned["members"]), learned_non_members=rate(*learned["non_members"]),
        n_members=acc["members"][1], n_non_members=acc["non_members"][1], seed=seed,
    )


register_card(AttackCard(
    family="model inversion", name=AttributeInference.name, title="Attribute inference (Fredrikson-style enumeration)",
    paper=AttributeInference.paper, threat_model="scores: the model's outputs, plus the record's other attributes",
    question="what is the hidden attribute of person p?", params=AttributeInferenceParams,
))
