"""What a report is drawn from: the result files of one directory, and optional record features.

A directory may hold any subset of ``results.json`` (the membership audit, with the per-target scores files it
names), ``synthetic_results.json`` (the synthetic-data audit), ``llm_results.json`` (the language-model audit),
``federated_results.json`` (the federated audit, with the PNG grids it names), ``inversion.json`` (class
inversion, with its PNG grids), ``attribute_inference.json`` and ``generator_results.json`` (the generator
audit); the report shows a section for each result present.

The dataset rows behind record indices are found by a *frame provider*: a function from the audit result to a
table indexed like the dataset (row ``i`` is record ``i``), or ``None`` when the rows are not available. The
default provider knows LeakPro's built-in datasets; pass another to :func:`load_inputs` for your own data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from leakpro.federated.results import FederatedAuditResult
from leakpro.results.llm import LLMAuditResult
from leakpro.results.types import AuditResult, TargetResult
from leakpro.synthetic.generator_results import GeneratorAuditResults

FrameProvider = Callable[[AuditResult], "pd.DataFrame | None"]

RESULTS_FILE = "results.json"
SYNTHETIC_RESULTS_FILE = "synthetic_results.json"
FEDERATED_RESULTS_FILE = "federated_results.json"
GENERATOR_RESULTS_FILE = "generator_results.json"
INVERSION_FILE = "inversion.json"
ATTRIBUTE_INFERENCE_FILE = "attribute_inference.json"
LLM_RESULTS_FILE = "llm_results.json"
RESULT_FILES = (RESULTS_FILE, SYNTHETIC_RESULTS_FILE, FEDERATED_RESULTS_FILE, INVERSION_FILE,
                ATTRIBUTE_INFERENCE_FILE, LLM_RESULTS_FILE, GENERATOR_RESULTS_FILE)
M = TypeVar("M", bound=BaseModel)
_RESULTS_FIX = ("restore the file, or re-run the audit that wrote it (`leakpro audit CONFIG --out DIR`): `leakpro "
                "report` re-renders results an audit wrote, it cannot repair them")


class ResultsFileError(ValueError):
    """A result file that cannot be read: which file, which fields, what is wrong, and the fix."""

    def __init__(self, path: Path, problem: str, fix: str = _RESULTS_FIX) -> None:
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(f"{path}: {problem}. Fix: {fix}")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ResultsFileError(path, "not UTF-8 text (the file is damaged, or not a result file)") from None
    except OSError as exc:
        raise ResultsFileError(path, f"cannot be read ({exc.strerror or type(exc).__name__})",
                               "check the path and its permissions") from None


def _read_json(path: Path, text: str | None = None) -> Any:
    try:
        return json.loads(_read_text(path) if text is None else text)
    except json.JSONDecodeError as exc:
        raise ResultsFileError(path, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
                               "(the file is cut short or was edited by hand)") from None


def _validated(model: type[M], path: Path) -> M:
    """``path`` parsed as ``model``; a ResultsFileError naming each wrong field (at most five) otherwise."""
    text = _read_text(path)
    _read_json(path, text)  # syntax errors with their position
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors()
        shown = "; ".join(f"field {'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}" for e in errors[:5])
        more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
        raise ResultsFileError(path, f"not a valid {path.name}: {shown}{more}") from None


def _not_another_kind(path: Path) -> None:
    """Refuse, with the fix, a synthetic-data or federated result under another name than its own: it would
    otherwise be read as a membership results.json and fail field by field."""
    data = _read_json(path)
    if not isinstance(data, dict):
        return
    kind = ("synthetic-data", SYNTHETIC_RESULTS_FILE) if {"secrets", "membership", "linkability_split"} <= data.keys() \
        else ("federated", FEDERATED_RESULTS_FILE) if data.get("kind") == "federated" \
        else ("language-model", LLM_RESULTS_FILE) if data.get("kind") == "llm" else None
    if kind is not None:
        raise ResultsFileError(path, f"this is a {kind[0]} audit's result, not a membership results.json",
                               f"name it {kind[1]} (as the audit did) and give that file or its directory to "
                               "`leakpro report`")


def check_result_files(path: Path) -> None:
    """Read and validate ``path`` (a results.json, another of the :data:`RESULT_FILES`, or a directory of result
    files), the result files beside it and the scores files results.json names; raise :class:`ResultsFileError`
    saying which file and field is wrong."""
    path = Path(path)
    if path.is_file() and path.name in RESULT_FILES and path.name != RESULTS_FILE:
        path = path.parent  # synthetic_results.json and the like: reported with their directory
    base = path if path.is_dir() else path.parent
    results = path / RESULTS_FILE if path.is_dir() else path
    if results.is_file():
        _not_another_kind(results)
        _audit_scores(_validated(AuditResult, results), base)
    _siblings(base)


def dataset_frame(result: AuditResult) -> pd.DataFrame | None:
    """The dataset's raw rows (row ``i`` = record ``i``) for "who leaks", else ``None``.

    A built-in dataset is loaded by name. A user's table is re-read from where the audit read it
    (``data.base_dir`` + the config's path) and used only if its features and labels still hash to the
    audit's ``data.fingerprint``: a moved or changed table shows record numbers only, never wrong rows.
    """
    from leakpro.data.registry import builtin_datasets

    data = result.config.get("data") or {}
    if not isinstance(data, dict):
        return None
    name = data.get("builtin")
    if name:
        entry = builtin_datasets().get(str(name))
        frame = entry.load().frame if entry is not None else None
    else:
        frame = _reread_table(result)
    return frame if isinstance(frame, pd.DataFrame) else None


def secret_columns(config: dict[str, Any]) -> set[str]:
    """Columns of the table that are the challenger's secret, not features of a person: the config's
    ``data.members.column`` (which rows trained the target) and ``data.population.column``.

    >>> sorted(secret_columns({"data": {"members": {"column": "in_training"}, "population": {"column": "pub"}}}))
    ['in_training', 'pub']
    """
    data = config.get("data")
    if not isinstance(data, dict):
        return set()
    specs = (data.get("members"), data.get("population"))
    return {str(s["column"]) for s in specs if isinstance(s, dict) and isinstance(s.get("column"), str)}


def without_secrets(frame: pd.DataFrame | None, result: AuditResult) -> pd.DataFrame | None:
    """``frame`` less the :func:`secret_columns` of the audit: "who leaks" lists a person's features, and
    whether they trained the model is what the attacks guess, not a feature (the table shows the truth apart)."""
    if frame is None:
        return None
    hidden = [c for c in frame.columns if str(c) in secret_columns(result.config)]
    return frame.drop(columns=hidden) if hidden else frame


def _reread_table(result: AuditResult) -> pd.DataFrame | None:
    from leakpro.config.errors import ConfigIssue
    from leakpro.config.schema import DataSpec
    from leakpro.data.loaders import load_data

    table = (result.config.get("data") or {}).get("table")
    if result.data.base_dir is None or result.data.fingerprint is None or not table:
        return None
    issues: list[ConfigIssue] = []
    try:
        spec = DataSpec.model_validate(result.config["data"])
        numeric = (result.config.get("target") or {}).get("kind") == "torch"
        loaded = load_data(spec, numeric=numeric, base=Path(result.data.base_dir), issues=issues)
    except Exception:  # a table that moved, changed shape or no longer parses: no features, never a crash
        return None
    if loaded is None or issues or loaded.dataset.fingerprint() != result.data.fingerprint:
        return None
    return loaded.dataset.frame


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report reads; nothing here is computed from anything but these files.

    ``result`` is ``None`` (and ``results_path`` too) when the directory holds no ``results.json``.
    """

    results_path: Path | None
    result: AuditResult | None
    scores: dict[str, pd.DataFrame]  # target name -> its scores table
    frame: pd.DataFrame | None
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)  # e.g. "synthetic" -> its JSON
    federated: FederatedAuditResult | None = None
    directory: Path | None = None  # where the result files lie (default: beside results.json)

    @property
    def base(self) -> Path:
        """The directory of the result files (paths inside them are relative to it)."""
        if self.directory is not None:
            return self.directory
        return self.results_path.parent if self.results_path is not None else Path(".")

    @property
    def audit(self) -> AuditResult:
        """The membership audit's result; only for sections that apply when it is present."""
        if self.result is None:
            raise ValueError(f"no {RESULTS_FILE} in {self.base}: this section needs the membership audit")
        return self.result

    def from_file(self, name: str) -> bool:
        """Whether the inversion or attribute-inference results came from their own file (not results.json)."""
        key = {INVERSION_FILE: "inversion", ATTRIBUTE_INFERENCE_FILE: "attribute_inference"}[name]
        in_audit = self.result is not None and bool(getattr(self.result, key))
        return key in self.extras and not in_audit

    @property
    def sources(self) -> list[str]:
        """Names of the result files the report was drawn from."""
        names = [self.results_path.name] if self.results_path is not None else []
        names += [SYNTHETIC_RESULTS_FILE] if "synthetic" in self.extras else []
        names += [LLM_RESULTS_FILE] if "llm" in self.extras else []
        names += [GENERATOR_RESULTS_FILE] if "generators" in self.extras else []
        names += [FEDERATED_RESULTS_FILE] if self.federated is not None else []
        names += [f for f in (INVERSION_FILE, ATTRIBUTE_INFERENCE_FILE) if self.from_file(f)]
        return names

    def target_scores(self, target: TargetResult) -> pd.DataFrame:
        """Scores table of ``target``."""
        return self.scores[target.name]


def read_scores(path: Path) -> pd.DataFrame:
    """One scores CSV: ``record``, ``member`` (bool), ``label``, then one column per attack id."""
    if not path.is_file():
        raise ResultsFileError(path, "this scores file, named in results.json, is missing",
                               "keep the scores/ folder beside results.json, or re-run the audit")
    try:
        table = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError) as exc:  # empty, cut short, not CSV
        raise ResultsFileError(path, f"not a readable scores table ({type(exc).__name__}: {str(exc)[:120]})") from None
    missing = {"record", "member"} - set(table.columns)
    if missing:
        raise ResultsFileError(path, f"lacks the column(s) {sorted(missing)}")
    member = table["member"]
    if member.dtype != bool:
        member = member.astype(str).str.lower().map({"true": True, "false": False, "1": True, "0": False})
        if member.isna().any():
            raise ResultsFileError(path, "column 'member' must hold true/false")
        table["member"] = member.astype(bool)
    return table


def _audit_scores(result: AuditResult, base: Path) -> dict[str, pd.DataFrame]:
    scores: dict[str, pd.DataFrame] = {}
    for i, target in enumerate(result.targets):
        table = read_scores(base / target.scores_file)
        absent = [a.scores_column for a in target.attacks if a.scores_column not in table.columns]
        if absent:
            raise ResultsFileError(base / target.scores_file, f"lacks the attack column(s) {absent} that "
                                   f"results.json (targets[{i}].attacks) names")
        scores[target.name] = table
    return scores


def _inversion_extras(base: Path) -> dict[str, dict[str, Any]]:
    """inversion.json (a list of class-inversion results, kept as ``{"results": [...]}``) and
    attribute_inference.json (``{role: [results]}``), as written by ``leakpro demo --inversion``."""
    extras: dict[str, dict[str, Any]] = {}
    inversion = base / INVERSION_FILE
    if inversion.is_file():
        data = _read_json(inversion)
        results = data if isinstance(data, list) else data.get("results", []) if isinstance(data, dict) else []
        extras["inversion"] = {"results": [r for r in results if isinstance(r, dict)]}
    attribute = base / ATTRIBUTE_INFERENCE_FILE
    if attribute.is_file():
        data = _read_json(attribute)
        if isinstance(data, list):  # a bare list of results: the audited model's
            data = {"target": data}
        if not isinstance(data, dict):
            raise ResultsFileError(attribute, "expected an object of role -> list of results")
        extras["attribute_inference"] = {str(role): [r for r in rs if isinstance(r, dict)]
                                         for role, rs in data.items() if isinstance(rs, list)}
    return extras


def _siblings(base: Path) -> tuple[dict[str, dict[str, Any]], FederatedAuditResult | None]:
    """The synthetic, inversion and federated results beside results.json (or alone in ``base``)."""
    extras: dict[str, dict[str, Any]] = {}
    synthetic = base / SYNTHETIC_RESULTS_FILE
    if synthetic.is_file():
        extras["synthetic"] = _read_json(synthetic)
        if not isinstance(extras["synthetic"], dict):
            raise ResultsFileError(synthetic, f"expected a JSON object, found {type(extras['synthetic']).__name__}")
    generators = base / GENERATOR_RESULTS_FILE
    if generators.is_file():
        extras["generators"] = _validated(GeneratorAuditResults, generators).model_dump(mode="json")
    extras.update(_inversion_extras(base))
    llm = base / LLM_RESULTS_FILE
    if llm.is_file():
        extras["llm"] = _validated(LLMAuditResult, llm).model_dump(mode="json")
    federated_path = base / FEDERATED_RESULTS_FILE
    federated = None
    if federated_path.is_file():
        federated = _validated(FederatedAuditResult, federated_path)
        if federated.kind != "federated":
            raise ResultsFileError(federated_path, f"field kind is {federated.kind!r}, expected 'federated'")
    return extras, federated


def load_inputs(results_json: Path, frame_provider: FrameProvider | None = dataset_frame) -> ReportInputs:
    """Read ``results_json``, every target's scores file, and any known sibling result (synthetic, federated)."""
    results_json = Path(results_json)
    result = _validated(AuditResult, results_json)
    base = results_json.parent
    scores = _audit_scores(result, base)
    frame = without_secrets(frame_provider(result), result) if frame_provider is not None else None
    extras, federated = _siblings(base)
    extras.update(_audit_inversion_extras(result))
    return ReportInputs(results_json, result, scores, frame, extras, federated, base)


def _audit_inversion_extras(result: AuditResult) -> dict[str, dict[str, Any]]:
    """The audit's own inversion and attribute-inference results, in the shape of the sibling files."""
    extras: dict[str, dict[str, Any]] = {}
    if result.inversion:
        extras["inversion"] = {"results": [r.model_dump(mode="json") for r in result.inversion]}
    if result.attribute_inference:
        grouped: dict[str, list[Any]] = {}
        for r in result.attribute_inference:
            grouped.setdefault(r.target, []).append(r.model_dump(mode="json"))
        extras["attribute_inference"] = grouped
    return extras


def load_directory(directory: Path, frame_provider: FrameProvider | None = dataset_frame) -> ReportInputs:
    """Read whichever of the :data:`RESULT_FILES` lie in ``directory``; at least one must."""
    directory = Path(directory)
    if (directory / RESULTS_FILE).is_file():
        return load_inputs(directory / RESULTS_FILE, frame_provider)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a directory; give the folder an audit wrote its results to")
    extras, federated = _siblings(directory)
    if not extras and federated is None:
        raise FileNotFoundError(f"{directory} holds none of {', '.join(RESULT_FILES)}; nothing to report")
    return ReportInputs(None, None, {}, None, extras, federated, directory)
