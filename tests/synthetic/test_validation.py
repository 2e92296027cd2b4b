"""Bad input gets one clear error listing every problem, each naming the table/field and the column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leakpro.commands.synthetic import run_synthetic
from leakpro.synthetic import audit_synthetic
from leakpro.synthetic.errors import SyntheticInputError


def _frame(n: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"age": rng.integers(18, 90, n), "job": rng.choice(["a", "b", "c"], n), "pay": rng.normal(50, 10, n)}
    )


def _problems(exc: pytest.ExceptionInfo[SyntheticInputError]) -> str:
    assert isinstance(exc.value, ValueError)
    return "\n".join(exc.value.problems)


def test_column_mismatch_is_named() -> None:
    syn = _frame().rename(columns={"pay": "salary"})
    with pytest.raises(SyntheticInputError) as exc:
        audit_synthetic(_frame(), syn, _frame(seed=1))
    text = _problems(exc)
    assert "synthetic" in text and "'pay'" in text and "'salary'" in text


def test_empty_table_and_unknown_secret_reported_together() -> None:
    with pytest.raises(SyntheticInputError) as exc:
        audit_synthetic(_frame(), _frame(), _frame().iloc[:0], secrets=["income"], aux_columns=["age"])
    text = _problems(exc)
    assert "control" in text and "0 row(s)" in text
    assert "secrets" in text and "'income'" in text
    assert "aux_columns" in text
    assert len(exc.value.problems) == 3


def test_all_nan_column_and_numeric_nan_rows() -> None:
    real = _frame()
    real["pay"] = np.nan
    syn = _frame()
    syn.loc[[3, 7], "age"] = np.nan
    with pytest.raises(SyntheticInputError) as exc:
        audit_synthetic(real, syn, _frame(seed=2))
    text = _problems(exc)
    assert "real: column 'pay' is entirely empty" in text
    assert "synthetic: numeric column 'age' has missing values in 2 row(s) (0-based positions 3, 7)" in text
    assert "column_types={'age': 'categorical'}" in text


def test_bad_type_override_and_secret_in_aux() -> None:
    with pytest.raises(SyntheticInputError) as exc:
        audit_synthetic(
            _frame(),
            _frame(),
            _frame(),
            column_types={"age": "integer", "nope": "numeric"},
            secrets=["job"],
            aux_columns=["job", "age"],
            n_attacks=0,
        )
    text = _problems(exc)
    assert "column_types['age']: got 'integer'" in text
    assert "column_types: unknown column(s) 'nope'" in text
    assert "'job' is both secret and known" in text
    assert "n_attacks: got 0" in text


def test_text_in_numeric_column() -> None:
    syn = _frame()
    syn["age"] = syn["age"].astype(object)
    syn.loc[5, "age"] = "old"
    with pytest.raises(SyntheticInputError) as exc:
        audit_synthetic(_frame(), syn, _frame())
    assert "synthetic: column 'age' is numeric in the real table but has non-numeric values" in _problems(exc)


def test_missing_categories_are_recorded_not_rejected() -> None:
    real = _frame(200)
    real.loc[[1, 2], "job"] = None
    res = audit_synthetic(real, _frame(200, 1), _frame(200, 2), secrets=["job"], n_attacks=20)
    assert res.missing_as_category == ["job"]
    assert any("Missing values" in n for n in res.notes)


def test_cli_missing_files_listed(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    _frame().to_csv(real, index=False)
    with pytest.raises(SyntheticInputError) as exc:
        run_synthetic(real, tmp_path / "syn.csv", tmp_path / "control.txt", tmp_path / "out")
    text = _problems(exc)
    assert "synthetic: file" in text and "control: file" in text
