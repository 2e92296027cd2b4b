"""Attribute inference / in-painting (Giomi et al. 2023, "A unified framework for quantifying privacy
risk in synthetic data").

Threat model: the attacker holds SYN and knows the auxiliary columns of a real person; they guess that
person's secret column. Two guessers:

* ``nearest``: the secret of the nearest synthetic record on the auxiliary columns (Gower distance),
  the variant of the paper;
* ``model``: a histogram gradient-boosting model (scikit-learn) fit on SYN only, auxiliary → secret;
  numeric predictions are snapped to the nearest value that occurs in SYN.

Success: a categorical guess must equal the secret. A numeric guess must lie within a relative tolerance,
``|guess - secret| <= tolerance · |secret|`` (default 5 %); a secret of 0 therefore needs a guess of 0, and
a guess of −5 for a secret of 3 is wrong. The random-guess baseline draws uniformly from SYN's distinct
values (categorical) or uniformly over SYN's range (numeric). ORI and CONTROL targets are equal-size
random samples; nothing is tuned on the secrets.

>>> import numpy as np
>>> truth = np.array([3.0, 3.0, 0.0])
>>> inference_success(np.array([-5.0, 3.1, 0.0]), truth, numeric=True, tolerance=0.05).tolist()
[False, True, True]
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.synthetic.columns import ColumnKind, EncodedTables, nearest_neighbours
from leakpro.synthetic.results import AttackResult, attack_result

Guesser = Literal["nearest", "model"]
_MAX_CATEGORIES = 250


def inference_success(guess: np.ndarray, truth: np.ndarray, *, numeric: bool, tolerance: float) -> np.ndarray:
    """Right or wrong per target: equality for categorical secrets, relative tolerance for numeric ones."""
    if not numeric:
        return np.asarray(guess == truth)
    return np.asarray(np.abs(guess - truth) <= tolerance * np.abs(truth))


def snap(guess: np.ndarray, syn_values: np.ndarray) -> np.ndarray:
    """Move each numeric guess to the nearest value that occurs in SYN (ties: the smaller value)."""
    grid = np.unique(syn_values)
    pos = (
        np.clip(np.searchsorted(grid, guess), 1, len(grid) - 1)
        if len(grid) > 1
        else np.zeros(len(guess), int)
    )
    if len(grid) == 1:
        return grid[pos]
    left, right = grid[pos - 1], grid[pos]
    return np.where(np.abs(guess - left) <= np.abs(right - guess), left, right)


def random_guesses(syn_secret: np.ndarray, numeric: bool, n: int, rng: np.random.Generator) -> np.ndarray:
    """Baseline guesses: uniform over SYN's range (numeric) or its distinct values (categorical)."""
    if numeric:
        return rng.uniform(float(syn_secret.min()), float(syn_secret.max()), size=n)
    return rng.choice(np.unique(syn_secret), size=n)


def fit_model(tables: EncodedTables, aux: Sequence[str], secret: str, random_state: int) -> object | None:
    """A gradient-boosting model fit on SYN (aux → secret); ``None`` when SYN's secret is constant."""
    x = tables.select(tables.syn, aux)
    y = tables.syn[:, tables.columns.index(secret)]
    if len(np.unique(y)) < 2:
        return None
    cat = tables.kinds_for(aux) & np.asarray(
        [len(tables.categories.get(a, ())) <= _MAX_CATEGORIES for a in aux]
    )
    numeric_secret = tables.kinds[tables.columns.index(secret)] is ColumnKind.NUMERIC
    cls = HistGradientBoostingRegressor if numeric_secret else HistGradientBoostingClassifier
    model = cls(
        max_iter=30,
        max_leaf_nodes=15,
        categorical_features=cat,
        early_stopping=False,
        random_state=random_state,
    )
    with threadpool_limits(limits=1):  # OpenMP threads thrash on small fits and shared cores
        return model.fit(x, y)


class Inference:
    """Attribute-inference attack on one secret column; see the module docstring."""

    def __init__(
        self,
        *,
        secret: str,
        aux: Sequence[str],
        guesser: Guesser = "nearest",
        n_attacks: int = 500,
        tolerance: float = 0.05,
        random_state: int = 0,
    ) -> None:
        self.secret = secret
        self.aux = aux
        self.guesser = guesser
        self.n_attacks = n_attacks
        self.tolerance = tolerance
        self.random_state = random_state

    def guess(self, tables: EncodedTables, targets: np.ndarray, model: object | None) -> np.ndarray:
        """The attacker's guesses of the secret for encoded ``targets`` (their secret is never read)."""
        syn_secret = tables.syn[:, tables.columns.index(self.secret)]
        x = tables.select(targets, self.aux)
        if self.guesser == "model":
            if model is None:
                return np.full(len(targets), syn_secret[0])
            with threadpool_limits(limits=1):
                guess = np.asarray(model.predict(x), dtype=np.float64)  # type: ignore[attr-defined]
            return (
                snap(guess, syn_secret)
                if tables.kinds[tables.columns.index(self.secret)] is ColumnKind.NUMERIC
                else guess
            )
        idx, _ = nearest_neighbours(
            x, tables.select(tables.syn, self.aux), tables.kinds_for(self.aux), tables.ranges_for(self.aux), 1
        )
        return syn_secret[idx[:, 0]]

    def run(self, tables: EncodedTables) -> AttackResult:
        """Guess the secret of ORI targets, of CONTROL targets, and at random."""
        start = time.perf_counter()
        rng = np.random.default_rng(self.random_state)
        j = tables.columns.index(self.secret)
        numeric = tables.kinds[j] is ColumnKind.NUMERIC
        n = min(self.n_attacks, len(tables.ori), len(tables.control))
        ori_rows = np.sort(rng.choice(len(tables.ori), n, replace=False))
        control_rows = np.sort(rng.choice(len(tables.control), n, replace=False))
        model = (
            fit_model(tables, self.aux, self.secret, self.random_state) if self.guesser == "model" else None
        )
        targets = np.concatenate([tables.ori[ori_rows], tables.control[control_rows]])
        right = inference_success(
            self.guess(tables, targets, model), targets[:, j], numeric=numeric, tolerance=self.tolerance
        )
        hits = [right[:n], right[n:]]
        base = random_guesses(tables.syn[:, j], numeric, n, rng)
        base_hits = inference_success(
            base, tables.ori[ori_rows, j], numeric=numeric, tolerance=self.tolerance
        )
        rule = f"numeric, within {self.tolerance:.0%}" if numeric else "exact match"
        findings = [
            f"Secret {self.secret!r} ({rule}): guessed right for {int(hits[0].sum())} of {n} ORI "
            f"targets and {int(hits[1].sum())} of {n} CONTROL targets; random guessing: "
            f"{int(base_hits.sum())}."
        ]
        return attack_result(
            attack="inference",
            variant=self.guesser,
            target=self.secret,
            params={
                "n_attacks": self.n_attacks,
                "aux": list(self.aux),
                "tolerance": self.tolerance,
                "random_state": self.random_state,
            },
            counts=(int(hits[0].sum()), int(hits[1].sum()), int(base_hits.sum())),
            trials=(n, n, n),
            exposed=[int(r) for r in ori_rows[hits[0]]],
            findings=findings,
            runtime_s=time.perf_counter() - start,
        )


register_card(AttackCard(
    family="synthetic data", name="attribute_inference", title="Attribute inference / in-painting",
    paper="Giomi et al., A Unified Framework for Quantifying Privacy Risk in Synthetic Data, PoPETs 2023",
    threat_model="the synthetic table and a person's auxiliary columns", params=Inference,
    question="can a real person's secret column be guessed from the synthetic table?",
))
