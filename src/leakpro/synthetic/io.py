"""Reading the three tables from CSV or Parquet; file-level problems are collected, not raised one by one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SUFFIXES = (".csv", ".parquet", ".pq")


def file_problems(paths: dict[str, Path]) -> list[str]:
    """Missing files and unsupported suffixes, one message per problem."""
    problems = []
    for field, path in paths.items():
        if not path.exists():
            problems.append(f"{field}: file {str(path)!r} does not exist; fix: check the path.")
        elif not path.is_file():
            problems.append(f"{field}: {str(path)!r} is not a file; fix: point to a .csv or .parquet file.")
        elif path.suffix.lower() not in SUFFIXES:
            problems.append(
                f"{field}: {str(path)!r} has suffix {path.suffix!r}, expected one of {SUFFIXES}; "
                "fix: convert the table to CSV or Parquet."
            )
    return problems


def read_table(path: Path) -> pd.DataFrame:
    """A table from CSV (``.csv``) or Parquet (``.parquet``/``.pq``); "" in CSV reads as missing."""
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    return pd.read_parquet(path)
