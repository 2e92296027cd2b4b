"""Up-front checks of the three tables and the audit options; every problem is collected, then raised once.

Each message names the field or column, says what is wrong, and how to fix it. Missing values in
categorical columns are allowed (they become a ``"<missing>"`` category, recorded in the results); missing
values in numeric columns are rejected with the rows, because any silent choice (dropping, imputing)
would change the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from leakpro.synthetic.columns import ColumnKind, infer_column_types, numeric_dtype
from leakpro.synthetic.errors import SyntheticInputError

MIN_ROWS = 10
_KINDS = {k.value for k in ColumnKind}


def _show(items: Sequence[str]) -> str:
    return ", ".join(repr(i) for i in items)


def _rows(mask: pd.Series) -> str:
    positions = [int(i) for i, m in enumerate(mask.to_numpy()) if m]
    head = ", ".join(str(p) for p in positions[:5])
    return f"{len(positions)} row(s) (0-based positions {head}{', …' if len(positions) > 5 else ''})"


def _table_problems(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    problems = []
    real_cols = [str(c) for c in frames["real"].columns]
    for name, frame in frames.items():
        if frame.shape[1] == 0:
            problems.append(f"{name}: the table has no columns; fix: check the file and its delimiter.")
        elif len(frame) < MIN_ROWS:
            problems.append(
                f"{name}: the table has {len(frame)} row(s), at least {MIN_ROWS} are needed; "
                "fix: supply a larger table."
            )
        dupes = sorted({str(c) for c in frame.columns if list(frame.columns).count(c) > 1})
        if dupes:
            problems.append(f"{name}: duplicate column name(s) {_show(dupes)}; fix: rename them.")
        if name == "real":
            continue
        cols = [str(c) for c in frame.columns]
        missing = [c for c in real_cols if c not in cols]
        extra = [c for c in cols if c not in real_cols]
        if missing:
            problems.append(
                f"{name}: column(s) {_show(missing)} of the real table are missing; fix: the three "
                "tables must have the same columns."
            )
        if extra:
            problems.append(
                f"{name}: column(s) {_show(extra)} are not in the real table; fix: drop them or add "
                "them to the real table."
            )
    return problems


def _option_problems(
    columns: Sequence[str],
    secrets: Sequence[str] | None,
    aux: Sequence[str] | None,
    column_types: Mapping[str, str] | None,
    n_attacks: int | None,
) -> list[str]:
    problems = []
    known = set(columns)
    for field, names in (("secrets", secrets), ("aux_columns", aux), ("column_types", column_types)):
        unknown = [n for n in (names or []) if n not in known]
        if unknown:
            problems.append(f"{field}: unknown column(s) {_show(unknown)}; the tables have {_show(columns)}.")
    for col, kind in (column_types or {}).items():
        if kind not in _KINDS:
            problems.append(f"column_types[{col!r}]: got {kind!r}, expected 'numeric' or 'categorical'.")
    both = sorted(set(secrets or []) & set(aux or []))
    if both:
        problems.append(
            f"secrets/aux_columns: {_show(both)} is both secret and known to the attacker; "
            "fix: list each column in only one of them."
        )
    if aux is not None and len(set(aux)) < 2:
        problems.append(
            f"aux_columns: got {len(set(aux))} column(s), linkability needs at least 2 to split "
            "into two disjoint sets."
        )
    if secrets is not None and len(secrets) == 0:
        problems.append(
            "secrets: empty list; fix: name at least one column, or leave it unset to attack every column."
        )
    if n_attacks is not None and n_attacks < 1:
        problems.append(f"n_attacks: got {n_attacks}, expected a positive integer.")
    return problems


def _column_problems(
    frames: Mapping[str, pd.DataFrame], types: Mapping[str, str], overrides: Mapping[str, str]
) -> list[str]:
    problems = []
    for col, kind in types.items():
        for name, frame in frames.items():
            if col not in frame.columns or len(frame) == 0:
                continue
            series = frame[col]
            if series.isna().all():
                problems.append(
                    f"{name}: column {col!r} is entirely empty (NaN); fix: drop the column from all "
                    "three tables."
                )
                continue
            numeric_here = numeric_dtype(series)
            if kind == ColumnKind.NUMERIC.value and not numeric_here:
                bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
                why = f"has non-numeric values in {_rows(bad)}" if bad.any() else "is stored as text"
                if col in overrides or bad.any():
                    problems.append(
                        f"{name}: column {col!r} is numeric in the real table but {why}; fix: make "
                        f"the tables agree, or set column_types={{{col!r}: 'categorical'}}."
                    )
                    continue
            if kind == ColumnKind.NUMERIC.value and series.isna().any():
                problems.append(
                    f"{name}: numeric column {col!r} has missing values in {_rows(series.isna())}; "
                    f"fix: impute or drop those rows, or set column_types={{{col!r}: 'categorical'}} "
                    "to treat missing as its own category."
                )
    return problems


def validate_inputs(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    control: pd.DataFrame,
    *,
    secrets: Sequence[str] | None = None,
    aux_columns: Sequence[str] | None = None,
    column_types: Mapping[str, str] | None = None,
    n_attacks: int | None = None,
) -> dict[str, str]:
    """Check everything; return the resolved column types, or raise one :class:`SyntheticInputError`."""
    frames = {"real": real, "synthetic": synthetic, "control": control}
    problems = _table_problems(frames)
    columns = [str(c) for c in real.columns]
    problems += _option_problems(columns, secrets, aux_columns, column_types, n_attacks)
    if problems:
        raise SyntheticInputError(problems)
    overrides = dict(column_types or {})
    types = infer_column_types(real, overrides)
    problems = _column_problems(frames, types, overrides)
    if problems:
        raise SyntheticInputError(problems)
    return types
