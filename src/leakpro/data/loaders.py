"""Load the user's data from the config, reporting every problem at once.

Tables (CSV/Parquet) keep their feature columns as a DataFrame (for scikit-learn pipelines); for torch
targets the feature columns must be numeric and become a float32 array. ``.npz`` arrays hold features and
labels of any shape. Members and population are boolean masks over the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from leakpro.config.errors import ConfigIssue
from leakpro.config.memory import PREFIX, lookup
from leakpro.config.schema import DataSpec
from leakpro.data.dataset import Dataset
from leakpro.data.registry import builtin_datasets


@dataclass(frozen=True)
class LoadedData:
    dataset: Dataset
    members: np.ndarray | None  # bool per row, None when LeakPro draws the members
    population: np.ndarray  # bool per row


def read_table(path: Path, field: str, issues: list[ConfigIssue]) -> pd.DataFrame | None:
    if not path.is_file():
        issues.append(ConfigIssue(field, "file not found", "give the path of an existing file", str(path)))
        return None
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if path.suffix.lower() in (".csv", ".gz", ".xz", ".bz2", ".zip"):
            return pd.read_csv(path)
    except Exception as exc:  # a corrupt file: report what the reader said
        issues.append(ConfigIssue(field, f"could not be read: {exc}", "check that the file is a valid table"))
        return None
    issues.append(ConfigIssue(field, "unsupported table format", "use .csv (optionally compressed) or .parquet",
                              path.suffix))
    return None


def _mask_column(frame: pd.DataFrame, column: str, field: str, issues: list[ConfigIssue]) -> np.ndarray | None:
    if column not in frame.columns:
        issues.append(ConfigIssue(field, f"column {column!r} is not in the table",
                                  f"use one of {list(frame.columns)}", column))
        return None
    col = frame[column]
    values = set(pd.unique(col.dropna()))
    if col.isna().any() or not values <= {0, 1}:
        issues.append(ConfigIssue(field, f"column {column!r} must be boolean or 0/1 with no missing values",
                                  "mark each row with true/false", f"values {sorted(map(str, values))[:5]}"))
        return None
    return col.to_numpy().astype(bool)


def _labels(raw: pd.Series | np.ndarray, field: str, issues: list[ConfigIssue]) -> tuple[np.ndarray, tuple[str, ...]]:
    series = pd.Series(np.asarray(raw).ravel())
    if series.isna().any():
        rows = np.flatnonzero(series.isna().to_numpy())[:5].tolist()
        issues.append(ConfigIssue(field, f"{int(series.isna().sum())} labels are missing (rows {rows}…)",
                                  "drop those rows or fill the labels"))
        return np.zeros(len(series), dtype=np.int64), ("0", "1")
    codes, uniques = pd.factorize(series, sort=True)
    if len(uniques) < 2:
        issues.append(ConfigIssue(field, "the label has fewer than two classes", "choose a classification label"))
    return codes.astype(np.int64), tuple(str(u) for u in uniques)


def _check_nan_features(x: pd.DataFrame | np.ndarray, field: str, issues: list[ConfigIssue]) -> None:
    """Missing (NaN) and infinite feature values are refused: models differ on them, JSON cannot carry them,
    and an infinite input turns a model's outputs into NaN."""
    if isinstance(x, pd.DataFrame):
        bad = {str(c): int(n) for c, n in x.isna().sum().items() if n}
        if bad:
            issues.append(ConfigIssue(field, f"missing values (NaN) in feature columns {_first(bad)}",
                                      "impute or drop them before the audit; models differ on NaN handling"))
        numeric = x.select_dtypes(include="number")
        infinite = {str(c): int(n) for c, n in zip(
            numeric.columns, np.isinf(numeric.to_numpy(dtype=np.float64)).sum(axis=0), strict=True) if n}
        if infinite:
            issues.append(ConfigIssue(field, f"infinite values in feature columns {_first(infinite)}",
                                      "replace or drop them before the audit"))
    elif np.issubdtype(x.dtype, np.floating):
        nan, inf = int(np.isnan(x).sum()), int(np.isinf(x).sum())
        if nan:
            issues.append(ConfigIssue(field, f"{nan} NaN values in the feature array", "replace NaNs before the audit"))
        if inf:
            issues.append(ConfigIssue(field, f"{inf} infinite values in the feature array (values beyond "
                                      "float32's range, about 3.4e38, become infinite)",
                                      "replace or rescale them before the audit"))


def _first(counts: dict[str, int], n: int = 5) -> str:
    """The first ``n`` entries of a per-column count, and how many more (a table may have thousands)."""
    items = list(counts.items())
    shown = ", ".join(f"{c!r}: {k}" for c, k in items[:n])
    return "{" + shown + (f", … {len(items) - n} more" if len(items) > n else "") + "}"


def load_table(spec: DataSpec, numeric: bool, base: Path, issues: list[ConfigIssue],
               held: pd.DataFrame | None = None) -> LoadedData | None:
    """A CSV/Parquet table, or (``held``) the DataFrame held in this session under ``data.memory``."""
    frame = held.copy() if held is not None else read_table(base / str(spec.table), "data.table", issues)
    if frame is None:
        return None
    for field, spec_part in (("data.members.key", spec.members), ("data.population.key", spec.population)):
        if spec_part is not None and spec_part.key is not None:
            issues.append(ConfigIssue(field, "'key' names an array inside an .npz, and this data is a table",
                                      "use {column: NAME} for a table"))
    label_ok = spec.label is not None and spec.label in frame.columns
    if not label_ok:  # reported, and the other columns are still checked (every problem at once)
        issues.append(ConfigIssue("data.label", "the label column is missing or not in the table",
                                  f"set data.label to one of {list(frame.columns)}", str(spec.label)))
    members = _mask_column(frame, spec.members.column, "data.members.column", issues) \
        if spec.members is not None and spec.members.column else None
    if spec.members is not None and spec.members.index_file is not None:
        members = _index_mask(base / spec.members.index_file, len(frame), "data.members.index_file", issues)
    population: np.ndarray | None = np.zeros(len(frame), dtype=bool)
    if spec.population is not None and spec.population.column is not None:
        population = _mask_column(frame, spec.population.column, "data.population.column", issues)
    reserved = {c for c in (spec.label, spec.members and spec.members.column,
                            spec.population and spec.population.column) if c}
    features = _feature_columns(frame, spec.features, reserved, issues)
    if features is None or population is None or spec.label is None or not label_ok:
        return None
    if spec.population is not None and spec.population.table is not None:
        extra = read_table(base / spec.population.table, "data.population.table", issues)
        if extra is None:
            return None
        missing = [c for c in [*features, spec.label] if c not in extra.columns]
        if missing:
            issues.append(ConfigIssue("data.population.table", f"columns {missing} are missing",
                                      "the population table needs the same feature and label columns"))
            return None
        frame = pd.concat([frame, extra[[*features, spec.label]]], ignore_index=True)
        population = np.r_[population, np.ones(len(extra), dtype=bool)]
        if members is not None:
            members = np.r_[members, np.zeros(len(extra), dtype=bool)]
    x: pd.DataFrame | np.ndarray = frame[features].reset_index(drop=True)
    _check_nan_features(x, "data.table", issues)
    if numeric:
        non_numeric = [c for c in features if not pd.api.types.is_numeric_dtype(frame[c])]
        if non_numeric:
            issues.append(ConfigIssue("data.features", f"columns {non_numeric} are not numeric",
                                      "a torch target takes numeric features: encode them, or list only numeric "
                                      "columns in data.features"))
            return None
        x = frame[features].to_numpy(dtype=np.float32)
        overflow = int(np.isinf(x).sum()) - int(np.isinf(frame[features].to_numpy(dtype=np.float64)).sum())
        if overflow > 0:  # finite in the table, beyond float32's range
            issues.append(ConfigIssue("data.table", f"{overflow} feature values lie beyond float32's range (about "
                                      "3.4e38) and become infinite", "rescale them before the audit"))
    labels, classes = _labels(frame[spec.label], "data.label", issues)
    name = Path(str(spec.table)).stem if held is None else str(spec.memory).removeprefix(PREFIX)
    ds = Dataset(name, x, labels, classes, frame=frame, feature_names=tuple(features))
    return LoadedData(ds, members, population)


def _feature_columns(frame: pd.DataFrame, wanted: list[str] | str | None, reserved: set[str],
                     issues: list[ConfigIssue]) -> list[str] | None:
    if wanted is None:
        return [c for c in frame.columns if c not in reserved]
    cols = [wanted] if isinstance(wanted, str) else list(wanted)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        issues.append(ConfigIssue("data.features", f"columns {missing} are not in the table",
                                  f"use columns from {list(frame.columns)}"))
        return None
    return cols


def _index_mask(path: Path, n: int, field: str, issues: list[ConfigIssue]) -> np.ndarray | None:
    if not path.is_file():
        issues.append(ConfigIssue(field, "file not found", "give an existing .npy or .txt of row indices", str(path)))
        return None
    try:
        idx = np.load(path, allow_pickle=False) if path.suffix == ".npy" else np.loadtxt(path, dtype=np.int64)
    except Exception as exc:
        issues.append(ConfigIssue(field, f"could not be read: {exc}", "save indices with numpy.save"))
        return None
    idx = np.asarray(idx).ravel()
    if not np.issubdtype(idx.dtype, np.integer) or (idx.size and (idx.min() < 0 or idx.max() >= n)):
        issues.append(ConfigIssue(field, f"indices must be integers in [0, {n})", "store row positions",
                                  f"range [{idx.min() if idx.size else ''}, {idx.max() if idx.size else ''}]"))
        return None
    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


def load_arrays(spec: DataSpec, base: Path, issues: list[ConfigIssue],
                held: dict[str, np.ndarray] | None = None) -> LoadedData | None:
    """An ``.npz`` file, or (``held``) the arrays held in this session under ``data.memory``."""
    path = base / str(spec.arrays)
    if held is not None:
        arrays = dict(held)
    elif not path.is_file():
        issues.append(ConfigIssue("data.arrays", "file not found", "give an existing .npz", str(path)))
        return None
    else:
        try:
            arrays = dict(np.load(path, allow_pickle=False))
        except Exception as exc:
            issues.append(ConfigIssue("data.arrays", f"not a readable .npz without pickles: {exc}",
                                      "save with numpy.savez of plain numeric arrays"))
            return None
    fkey = spec.features if isinstance(spec.features, str) else "x"
    lkey = spec.label or "y"
    for key, field in ((fkey, "data.features"), (lkey, "data.label")):
        if key not in arrays:
            issues.append(ConfigIssue(field, f"array {key!r} is not in the .npz", f"use one of {sorted(arrays)}"))
    if fkey not in arrays or lkey not in arrays:
        return None
    x, y = arrays[fkey], arrays[lkey]
    if x.shape[0] != y.shape[0] or y.ndim != 1:
        issues.append(ConfigIssue("data", f"features have {x.shape[0]} rows, labels shape {y.shape}",
                                  "labels must be a 1-D array with one entry per feature row"))
        return None
    _check_nan_features(x.astype(np.float32), "data.features", issues)
    members = None
    if spec.members is not None and spec.members.key is not None:
        if spec.members.key not in arrays or arrays[spec.members.key].shape != (x.shape[0],):
            issues.append(ConfigIssue("data.members.key", "no boolean array of one entry per row with that name",
                                      f"use one of {sorted(arrays)}", spec.members.key))
        else:
            members = arrays[spec.members.key].astype(bool)
    elif spec.members is not None and spec.members.index_file is not None:
        members = _index_mask(base / spec.members.index_file, x.shape[0], "data.members.index_file", issues)
    population = np.zeros(x.shape[0], dtype=bool)
    if spec.population is not None:
        pop_key = spec.population.key
        if pop_key is None or pop_key not in arrays or arrays[pop_key].shape != (x.shape[0],):
            issues.append(ConfigIssue("data.population", "arrays data marks population rows with a boolean array",
                                      f"write population: {{key: NAME}} with NAME one of {sorted(arrays)}",
                                      str(pop_key)))
        else:
            population = arrays[pop_key].astype(bool)
    labels, classes = _labels(y, "data.label", issues)
    name = path.stem if held is None else str(spec.memory).removeprefix(PREFIX)
    ds = Dataset(name, x.astype(np.float32), labels, classes)
    return LoadedData(ds, members, population)


def load_builtin(spec: DataSpec, issues: list[ConfigIssue]) -> LoadedData | None:
    import difflib

    known = builtin_datasets()
    if spec.builtin not in known:
        close = difflib.get_close_matches(str(spec.builtin), known, n=1)
        issues.append(ConfigIssue("data.builtin", "unknown built-in dataset",
                                  f"use one of {list(known)}" + (f" (did you mean {close[0]!r}?)" if close else ""),
                                  str(spec.builtin)))
        return None
    ds = known[str(spec.builtin)].load()
    return LoadedData(ds, None, np.zeros(len(ds), dtype=bool))


def load_data(spec: DataSpec, numeric: bool, base: Path, issues: list[ConfigIssue]) -> LoadedData | None:
    if spec.builtin is not None:
        return load_builtin(spec, issues)
    if spec.table is not None:
        return load_table(spec, numeric, base, issues)
    if spec.memory is not None:
        return load_held(spec, numeric, issues)
    return load_arrays(spec, base, issues)


def load_held(spec: DataSpec, numeric: bool, issues: list[ConfigIssue]) -> LoadedData | None:
    """Data held in this Python session (:mod:`leakpro.config.memory`): a DataFrame is read as a table, a dict
    of arrays as an ``.npz`` would be; every check of those paths applies."""
    held = lookup(str(spec.memory))
    if isinstance(held, pd.DataFrame):
        return load_table(spec, numeric, Path("."), issues, held=held)
    if isinstance(held, dict) and all(isinstance(v, np.ndarray) for v in held.values()):
        return load_arrays(spec, Path("."), issues, held=held)
    issues.append(ConfigIssue("data.memory", "no table or arrays are held under this name in this Python session",
                              "pass the data to leakpro.audit_model, or name a file with data.table / data.arrays",
                              str(spec.memory)))
    return None
