"""Each attack on a planted leak (SYN = ORI or a noisy copy) and on a null case (SYN = a disjoint real
sample, or a generator fit on one): the leak must be found with an interval excluding 0, the null case
must give risk intervals containing 0 and membership AUC intervals containing 0.5."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import pytest

from leakpro.synthetic.columns import EncodedTables, encode_tables, infer_column_types
from leakpro.synthetic.generators import GaussianCopula, NoisyCopy
from leakpro.synthetic.inference import Inference, inference_success
from leakpro.synthetic.linkability import Linkability
from leakpro.synthetic.membership import Membership
from leakpro.synthetic.results import AttackResult
from leakpro.synthetic.singling_out import SinglingOut

Parts = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
SPLIT = (
    ["age", "workclass", "fnlwgt", "education", "marital_status", "occupation", "relationship"],
    [
        "race",
        "sex",
        "capital_gain",
        "capital_loss",
        "hours_per_week",
        "native_country",
        "income",
        "education_num",
    ],
)


def _encode(ori: pd.DataFrame, syn: pd.DataFrame, control: pd.DataFrame) -> EncodedTables:
    return encode_tables(ori, syn, control, infer_column_types(ori))


@pytest.fixture(scope="module")
def copy_tables(adult_parts: Parts) -> EncodedTables:
    ori, control, _ = adult_parts
    return _encode(ori, ori.sample(frac=1.0, random_state=1).reset_index(drop=True), control)


@pytest.fixture(scope="module")
def noisy_tables(adult_parts: Parts) -> EncodedTables:
    ori, control, _ = adult_parts
    return _encode(ori, NoisyCopy(random_state=0).fit(ori).sample(len(ori)), control)


@pytest.fixture(scope="module")
def null_tables(adult_parts: Parts) -> EncodedTables:
    ori, control, other = adult_parts
    return _encode(ori, other, control)


@pytest.fixture(scope="module")
def null_model_tables(adult_parts: Parts) -> EncodedTables:
    ori, control, other = adult_parts
    return _encode(ori, GaussianCopula(random_state=0).fit(other).sample(len(ori)), control)


def _attacks() -> list[SinglingOut | Linkability | Inference]:
    return [
        SinglingOut(mode="univariate", n_attacks=300, random_state=1),
        SinglingOut(mode="multivariate", n_attacks=300, random_state=2),
        Linkability(aux_split=SPLIT, n_attacks=300, random_state=3),
        Inference(
            secret="occupation",
            aux=[c for c in SPLIT[0] + SPLIT[1] if c != "occupation"],
            guesser="nearest",
            n_attacks=300,
            random_state=4,
        ),
        Inference(
            secret="age",
            aux=[c for c in SPLIT[0] + SPLIT[1] if c != "age"],
            guesser="nearest",
            n_attacks=300,
            random_state=5,
        ),
        Inference(
            secret="occupation",
            aux=[c for c in SPLIT[0] + SPLIT[1] if c != "occupation"],
            guesser="model",
            n_attacks=300,
            random_state=6,
        ),
    ]


def _ids(attack: object) -> str:
    return type(attack).__name__ + "/" + str(getattr(attack, "mode", getattr(attack, "guesser", "")))


@pytest.mark.parametrize("attack", _attacks(), ids=_ids)
def test_planted_copy_is_caught(
    attack: SinglingOut | Linkability | Inference, copy_tables: EncodedTables
) -> None:
    res = attack.run(copy_tables)
    assert res.risk.ci_low > 0.2, res.findings
    assert not res.no_better_than_baseline
    assert res.exposed_records


@pytest.mark.parametrize("attack", _attacks(), ids=_ids)
def test_null_sample_shows_no_risk(
    attack: SinglingOut | Linkability | Inference, null_tables: EncodedTables
) -> None:
    res = attack.run(null_tables)
    assert res.risk.ci_low <= 0.0 <= res.risk.ci_high, res.findings


@pytest.mark.parametrize("attack", _attacks(), ids=_ids)
def test_null_generator_shows_no_risk(
    attack: SinglingOut | Linkability | Inference, null_model_tables: EncodedTables
) -> None:
    res = attack.run(null_model_tables)
    assert res.risk.ci_low <= 0.0 <= res.risk.ci_high, res.findings


@pytest.mark.parametrize("method", ["dcr", "domias"])
def test_membership_planted_and_null(
    method: str, noisy_tables: EncodedTables, null_tables: EncodedTables
) -> None:
    leak = Membership(method=method, n_attacks=400, random_state=0).run(noisy_tables)  # type: ignore[arg-type]
    assert leak.ci_low > 0.6 and not leak.not_better_than_random
    null = Membership(method=method, n_attacks=400, random_state=0).run(null_tables)  # type: ignore[arg-type]
    assert null.ci_low <= 0.5 <= null.ci_high and null.not_better_than_random


def test_singling_out_with_small_control_reports_no_risk() -> None:
    """Pitfall: CONTROL (1,000) smaller than ORI (5,000) must not inflate singling-out risk."""
    from leakpro.data.adult import load_adult_frame

    table = load_adult_frame("all").sample(frac=1.0, random_state=7).reset_index(drop=True)
    ori, control, syn = table.iloc[:5000], table.iloc[5000:6000], table.iloc[6000:11000]
    tables = _encode(ori.reset_index(drop=True), syn.reset_index(drop=True), control.reset_index(drop=True))
    modes: tuple[Literal["univariate"], Literal["multivariate"]] = ("univariate", "multivariate")
    for mode in modes:
        res = SinglingOut(mode=mode, n_attacks=300, random_state=0).run(tables)
        assert res.params["sample_size"] == 1000
        assert res.risk.ci_low <= 0.0 <= res.risk.ci_high and res.risk.value < 0.1, res.findings


def test_numeric_secret_uses_relative_tolerance() -> None:
    truth = np.array([3.0, 3.0, 0.0, 100.0])
    guess = np.array([-5.0, 3.1, 0.0, 106.0])
    assert inference_success(guess, truth, numeric=True, tolerance=0.05).tolist() == [
        False,
        True,
        True,
        False,
    ]
    assert inference_success(guess, truth, numeric=False, tolerance=0.05).tolist() == [
        False,
        False,
        True,
        False,
    ]


def _strip_runtime(res: AttackResult) -> dict[str, object]:
    return res.model_dump(exclude={"runtime_s"})


@pytest.mark.parametrize("attack", _attacks()[:3], ids=_ids)
def test_attacks_are_repeatable(attack: SinglingOut | Linkability, null_tables: EncodedTables) -> None:
    assert _strip_runtime(attack.run(null_tables)) == _strip_runtime(attack.run(null_tables))


def test_univariate_finding_names_column_and_values(copy_tables: EncodedTables) -> None:
    res = SinglingOut(mode="univariate", n_attacks=100, random_state=0).run(copy_tables)
    assert any("Column 'fnlwgt'" in f and "e.g." in f for f in res.findings)


def test_count_matches_against_a_loop() -> None:
    from leakpro.synthetic.singling_out import EQ, GE, LE, Predicates, count_matches

    rng = np.random.default_rng(0)
    table = rng.integers(0, 6, (200, 4)).astype(float)
    cols = np.argsort(rng.random((50, 4)), axis=1)[:, :3]
    ops = rng.choice([EQ, GE, LE], (50, 3)).astype(np.int8)
    values = rng.integers(0, 6, (50, 3)).astype(float)
    slow = []
    for i in range(50):
        ok = np.ones(200, dtype=bool)
        for j in range(3):
            col, op, v = table[:, cols[i, j]], ops[i, j], values[i, j]
            ok &= (col == v) if op == EQ else (col >= v) if op == GE else (col <= v)
        slow.append(int(ok.sum()))
    assert count_matches(Predicates(cols, ops, values), table).tolist() == slow
