"""Singling out (Giomi et al. 2023, "A unified framework for quantifying privacy risk in synthetic data").

Threat model: the attacker holds only the synthetic table SYN. From it they write predicates that describe
exactly one synthetic record, hoping that the predicate also describes exactly one real person in the data
the generator was fit on (ORI) — which would single that person out (GDPR recital 26).

Variants:

* ``univariate``: one condition on one column: a value that occurs once in SYN (``col == v``), or a
  column's extreme (``col <= min``, ``col >= max``) when it is held by one synthetic record.
* ``multivariate``: a conjunction over ``n_cols`` random columns of a random synthetic record: ``==`` for
  categorical columns and, for numeric ones, ``>= v`` above the synthetic median and ``<= v`` below it
  (pointing to the tail makes the conjunction selective). Only predicates that isolate one SYN record
  are kept.

A predicate succeeds when it matches exactly one record. Because that probability depends on table size,
ORI and CONTROL are compared on **equal-size random samples** of ``min(len(ORI), len(CONTROL))`` rows
(the larger table is subsampled, seeded). The random-guess baseline writes predicates without looking at
which values are rare: columns at random, values drawn uniformly from SYN's distinct values, scored on the
same ORI sample. Exposed records are the ORI rows (of the full table) that a successful predicate isolates.

>>> from leakpro.synthetic.columns import encode_tables, infer_column_types
>>> import pandas as pd
>>> f = pd.DataFrame({"x": range(30), "c": ["a", "b", "c"] * 10})
>>> enc = encode_tables(f, f, f.iloc[::-1].reset_index(drop=True), infer_column_types(f))
>>> SinglingOut(mode="univariate", n_attacks=10, random_state=0).run(enc).ori.rate
1.0
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.synthetic.columns import EncodedTables
from leakpro.synthetic.matching import SortedTable
from leakpro.synthetic.results import AttackResult, attack_result

EQ, GE, LE = 0, 1, 2
_OPS = {EQ: "==", GE: ">=", LE: "<="}


@dataclass(frozen=True)
class Predicates:
    """``B`` conjunctions of ``L`` conditions ``table[:, cols] (op) values``."""

    cols: np.ndarray
    ops: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.cols)

    def take(self, idx: np.ndarray) -> Predicates:
        """A subset of the predicates."""
        return Predicates(self.cols[idx], self.ops[idx], self.values[idx])


def _bounds(pred: Predicates) -> tuple[np.ndarray, np.ndarray]:
    """Each condition as ``lo <= x <= hi`` (``==``: lo = hi = v; ``>=``: hi = inf; ``<=``: lo = -inf)."""
    lo = np.where(pred.ops == LE, -np.inf, pred.values)
    hi = np.where(pred.ops == GE, np.inf, pred.values)
    return lo, hi


def count_matches(pred: Predicates, table: np.ndarray | SortedTable) -> np.ndarray:
    """How many rows of ``table`` satisfy each predicate (pass a :class:`SortedTable` to reuse its sort)."""
    sorted_table = table if isinstance(table, SortedTable) else SortedTable(table)
    return sorted_table.match(pred.cols, *_bounds(pred))[0]


def univariate_candidates(tables: EncodedTables) -> Predicates:
    """All one-column predicates that isolate exactly one SYN record (rare values and extremes)."""
    cols: list[int] = []
    ops: list[int] = []
    values: list[float] = []
    for j, kind in enumerate(tables.kinds):
        column = tables.syn[:, j]
        uniq, counts = np.unique(column, return_counts=True)
        rare = uniq[counts == 1]
        cols += [j] * len(rare)
        ops += [EQ] * len(rare)
        values += rare.tolist()
        if kind.value == "numeric" and len(uniq) > 1:
            for op, value, count in ((LE, uniq[0], counts[0]), (GE, uniq[-1], counts[-1])):
                if count == 1:
                    cols.append(j)
                    ops.append(op)
                    values.append(float(value))
    return Predicates(
        np.asarray(cols, dtype=np.int64)[:, None],
        np.asarray(ops, dtype=np.int8)[:, None],
        np.asarray(values, dtype=np.float64)[:, None],
    )


def multivariate_candidates(
    tables: EncodedTables, n_cols: int, n: int, rng: np.random.Generator
) -> Predicates:
    """``n`` random conjunctions built from random SYN records (not yet filtered for isolation)."""
    p = len(tables.columns)
    n_cols = min(n_cols, p)
    cols = np.argsort(rng.random((n, p)), axis=1)[:, :n_cols]
    rows = rng.integers(0, len(tables.syn), size=n)
    values = tables.syn[rows[:, None], cols]
    return Predicates(cols, _tail_ops(tables, cols, values), values)


def _tail_ops(tables: EncodedTables, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
    numeric = np.asarray([k.value == "numeric" for k in tables.kinds])
    tail = np.where(values >= tables.syn_medians[cols], GE, LE)
    return np.where(numeric[cols], tail, EQ).astype(np.int8)


def random_predicates(tables: EncodedTables, n_cols: int, n: int, rng: np.random.Generator) -> Predicates:
    """Baseline: random columns, values uniform over SYN's distinct values (rarity ignored)."""
    p = len(tables.columns)
    n_cols = min(n_cols, p)
    cols = np.argsort(rng.random((n, p)), axis=1)[:, :n_cols]
    distinct = [np.unique(tables.syn[:, j]) for j in range(p)]
    values = np.empty(cols.shape, dtype=np.float64)
    for j in range(p):
        where = cols == j
        values[where] = rng.choice(distinct[j], size=int(where.sum()))
    ops = _tail_ops(tables, cols, values) if n_cols > 1 else np.full(cols.shape, EQ, dtype=np.int8)
    return Predicates(cols, ops, values)


def _unique_rows(pred: Predicates) -> Predicates:
    key = np.concatenate([pred.cols, pred.ops, pred.values], axis=1)
    _, first = np.unique(key, axis=0, return_index=True)
    return pred.take(np.sort(first))


def equal_size_samples(n_ori: int, n_control: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of equal-size random samples of ORI and CONTROL (the smaller table is kept whole)."""
    m = min(n_ori, n_control)
    ori = np.sort(rng.choice(n_ori, m, replace=False)) if n_ori > m else np.arange(n_ori)
    control = np.sort(rng.choice(n_control, m, replace=False)) if n_control > m else np.arange(n_control)
    return ori, control


class SinglingOut:
    """Singling-out attack; see the module docstring for the threat model and variants."""

    def __init__(
        self,
        *,
        mode: Literal["univariate", "multivariate"] = "multivariate",
        n_attacks: int = 500,
        n_cols: int = 3,
        max_tries: int = 20,
        random_state: int = 0,
    ) -> None:
        self.mode = mode
        self.n_attacks = n_attacks
        self.n_cols = n_cols
        self.max_tries = max_tries
        self.random_state = random_state

    def predicates(self, tables: EncodedTables, rng: np.random.Generator) -> Predicates:
        """Up to ``n_attacks`` distinct predicates that each isolate exactly one SYN record."""
        if self.mode == "univariate":
            pool = univariate_candidates(tables)
            return pool.take(np.sort(rng.permutation(len(pool))[: self.n_attacks]))
        kept: Predicates | None = None
        syn = SortedTable(tables.syn)
        for _ in range(self.max_tries):
            batch = multivariate_candidates(tables, self.n_cols, 2 * self.n_attacks, rng)
            batch = batch.take(np.flatnonzero(count_matches(batch, syn) == 1))
            kept = batch if kept is None else _concat(kept, batch)
            kept = _unique_rows(kept)
            if len(kept) >= self.n_attacks:
                break
        assert kept is not None
        return kept.take(np.arange(min(self.n_attacks, len(kept))))

    def run(self, tables: EncodedTables) -> AttackResult:
        """Write predicates on SYN, score them on ORI, CONTROL and against random predicates."""
        start = time.perf_counter()
        rng = np.random.default_rng(self.random_state)
        pred = self.predicates(tables, rng)
        ori_rows, control_rows = equal_size_samples(len(tables.ori), len(tables.control), rng)
        ori_sample = SortedTable(tables.ori[ori_rows])
        ori_hits = count_matches(pred, ori_sample) == 1
        control_hits = count_matches(pred, tables.control[control_rows]) == 1
        n_cols = 1 if self.mode == "univariate" else self.n_cols
        baseline = random_predicates(tables, n_cols, max(len(pred), 1), rng)
        base_hits = count_matches(baseline, ori_sample) == 1
        exposed = _isolated_rows(pred, tables.ori)
        n = len(pred)
        return attack_result(
            attack="singling_out",
            variant=self.mode,
            target=None,
            params={
                "n_attacks": self.n_attacks,
                "n_cols": n_cols,
                "random_state": self.random_state,
                "n_predicates": n,
                "sample_size": len(ori_rows),
            },
            counts=(int(ori_hits.sum()), int(control_hits.sum()), int(base_hits.sum())),
            trials=(n, n, len(baseline)),
            exposed=exposed,
            findings=_explain(tables, pred, ori_hits, control_hits, n),
            runtime_s=time.perf_counter() - start,
        )


def _concat(a: Predicates, b: Predicates) -> Predicates:
    return Predicates(
        np.concatenate([a.cols, b.cols]), np.concatenate([a.ops, b.ops]), np.concatenate([a.values, b.values])
    )


def _isolated_rows(pred: Predicates, table: np.ndarray) -> list[int]:
    """The row of ``table`` that each predicate isolating exactly one row matches, in predicate order."""
    counts, first = SortedTable(table).match(pred.cols, *_bounds(pred))
    return [int(r) for r in first[counts == 1]]


def describe_predicate(tables: EncodedTables, pred: Predicates, i: int) -> str:
    """Plain text of predicate ``i``, e.g. ``fnlwgt == 123456 AND sex == 'Male'``."""
    parts = []
    for j in range(pred.cols.shape[1]):
        name = tables.columns[pred.cols[i, j]]
        parts.append(f"{name} {_OPS[int(pred.ops[i, j])]} {tables.describe(name, pred.values[i, j])}")
    return " AND ".join(parts)


def _explain(
    tables: EncodedTables, pred: Predicates, ori_hits: np.ndarray, control_hits: np.ndarray, n: int
) -> list[str]:
    if n == 0:
        return ["No predicate isolating exactly one synthetic record was found; nothing to score."]
    if pred.cols.shape[1] != 1:
        example = [describe_predicate(tables, pred, int(i)) for i in np.flatnonzero(ori_hits)[:2]]
        tail = f" e.g. {'; '.join(example)}" if example else ""
        return [
            f"{int(ori_hits.sum())} of {n} predicates isolate one real ORI record "
            f"(CONTROL: {int(control_hits.sum())}).{tail}"
        ]
    ori_by = Counter(tables.columns[c] for c in pred.cols[ori_hits, 0])
    control_by = Counter(tables.columns[c] for c in pred.cols[control_hits, 0])
    out = []
    for name, count in ori_by.most_common(3):
        idx = [int(i) for i in np.flatnonzero(ori_hits) if tables.columns[pred.cols[i, 0]] == name][:3]
        values = ", ".join(tables.describe(name, pred.values[i, 0]) for i in idx)
        out.append(
            f"Column {name!r}: {count} synthetic values that occur once in SYN (e.g. {values}) each "
            f"match exactly one real ORI record, against {control_by.get(name, 0)} on CONTROL. "
            "If ORI is far above CONTROL, the generator copied these exact rare values."
        )
    return out


register_card(AttackCard(
    family="synthetic data", name="singling_out", title="Singling out (univariate and multivariate predicates)",
    paper="Giomi et al., A Unified Framework for Quantifying Privacy Risk in Synthetic Data, PoPETs 2023",
    threat_model="the synthetic table only", params=SinglingOut,
    question="does a predicate that isolates one synthetic record isolate one real person?",
))
