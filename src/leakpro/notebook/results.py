"""Results that display themselves in a notebook, turn into DataFrames, write reports and save to a folder.

:class:`ModelAudit` wraps a membership audit's :class:`~leakpro.results.types.AuditResult` and the folder holding
its ``results.json`` and per-record scores (a temporary folder unless the audit was given ``out``);
:class:`SyntheticAudit` wraps a :class:`~leakpro.synthetic.results.SyntheticAuditResult`. Attributes of the
wrapped result are read through (``audit.targets``, ``audit.notes``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from leakpro.report import ReportPaths, dataset_frame, load_directory, load_inputs, render_report_dir
from leakpro.report.inputs import RESULTS_FILE, SYNTHETIC_RESULTS_FILE, FrameProvider, ReportInputs
from leakpro.report.render import PageOne, page_one
from leakpro.results.types import AuditResult, TargetResult
from leakpro.synthetic.results import SyntheticAuditResult

_LEVEL_NAMES = {0.1: "10%", 0.01: "1%", 0.001: "0.1%", 0.0: "0%"}


def _level_name(level: float) -> str:
    return _LEVEL_NAMES.get(level, f"{level:g}")


def _target_rows(target: TargetResult) -> list[dict[str, Any]]:
    sim = target.simultaneous
    rows = []
    for a in target.attacks:
        row: dict[str, Any] = {
            "target": target.name, "role": target.role, "attack_id": a.id, "attack": a.attack,
            "threat_model": a.threat_model, "headline": sim is not None and sim.primary == a.id,
            "auc": a.auc.value, "auc_low": a.auc.low, "auc_high": a.auc.high,
        }
        for op in a.tpr_at_fpr:
            name = f"tpr@{_level_name(op.fpr_level)}"
            row.update({name: op.tpr.value, f"{name}_low": op.tpr.low, f"{name}_high": op.tpr.high,
                        f"{name}_tp": op.true_positives, f"{name}_fp": op.false_positives})
        joint = sim.attacks.get(a.id, {}) if sim is not None else {}
        for figure, interval in joint.items():
            row[f"{figure}_simultaneous_low"] = interval.low
            row[f"{figure}_simultaneous_high"] = interval.high
        row.update(balanced_accuracy=a.balanced_accuracy, advantage=a.advantage,
                   epsilon_heuristic=a.epsilon_heuristic.epsilon if a.epsilon_heuristic is not None else None,
                   members=a.tpr_at_fpr[0].members if a.tpr_at_fpr else None,
                   non_members=a.tpr_at_fpr[0].non_members if a.tpr_at_fpr else None,
                   queries=a.queries, runtime_s=a.runtime_s, seed=a.seed)
        rows.append(row)
    return rows


class _Shown:
    """What both results share: a folder of result files, page one drawn from it, reports and saving."""

    _files: tuple[str, ...] = ()

    def __init__(self, directory: Path, frame_provider: FrameProvider | None, keep: Any = None) -> None:
        self.directory = Path(directory)
        self._frame_provider = frame_provider
        self._keep = keep  # a TemporaryDirectory: removed with this object
        self._html: str | None = None
        self._page_one: PageOne | None = None

    def _inputs(self) -> ReportInputs:
        return load_directory(self.directory, self._frame_provider)

    def _page(self) -> PageOne:
        """Page one of the report (built once: it draws every section)."""
        if self._page_one is None:
            self._page_one = page_one(self._inputs())
        return self._page_one

    def report(self, path: str | Path = "leakpro-report", *, pdf: bool = True) -> ReportPaths:
        """Write ``report.html`` (and ``report.pdf``) into the folder ``path``; the same report as the CLI's."""
        return render_report_dir(self.directory, Path(path), pdf=pdf, frame_provider=self._frame_provider)

    def save(self, path: str | Path) -> Path:
        """Copy the result files (and per-record scores) into the folder ``path``; :func:`load_result` reads it."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in self._files:
            source = self.directory / name
            if source.is_dir():
                shutil.copytree(source, path / name, dirs_exist_ok=True)
            elif source.is_file():
                shutil.copy2(source, path / name)
        return path

    def _repr_html_(self) -> str:
        if self._html is None:
            self._html = self._render()
        return self._html

    def _render(self) -> str:
        raise NotImplementedError


class ModelAudit(_Shown):
    """A membership audit's result in a notebook; see the module."""

    _files = (RESULTS_FILE, "scores")

    def __init__(self, result: AuditResult, directory: Path, *, frame: pd.DataFrame | None = None,
                 keep: Any = None) -> None:
        provider: FrameProvider = (lambda _: frame) if frame is not None else dataset_frame
        super().__init__(directory, provider, keep)
        self.result = result

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "result":
            raise AttributeError(name)
        return getattr(self.result, name)

    @property
    def scores(self) -> dict[str, pd.DataFrame]:
        """Per-record scores by target: ``record``, ``member`` (the secret), ``label``, one column per attack."""
        return load_inputs(self.directory / RESULTS_FILE, None).scores

    @property
    def verdict(self) -> str:
        """Page one's overall level ("Low", "Moderate", "High", "Very high"), or "not assessed"."""
        row = self._page().headline
        return row.assessment.level.label if row is not None and row.assessment is not None else "not assessed"

    def to_frame(self) -> pd.DataFrame:
        """One row per target × attack: AUC and TPR at each FPR level with 95 % intervals and counts, the
        simultaneous intervals page one reads levels from, advantage, heuristic ε, queries, runtime."""
        return pd.DataFrame([row for t in self.result.targets for row in _target_rows(t)])

    def _render(self) -> str:
        from leakpro.notebook.html import membership_html
        from leakpro.report.render import audit_title

        return membership_html(self.result, self._page(), audit_title(self.result))

    def __repr__(self) -> str:
        frame = self.to_frame()
        best = frame.loc[frame["role"] == "target", "auc"].max() if len(frame) else float("nan")
        return (f"<ModelAudit {self.result.data.name!r}: {len(frame)} attack results, best AUC {best:.3f}; "
                f"results in {self.directory}>")


class _ReadsThrough(_Shown):
    """A result held whole (``.result``), whose attributes read through: ``audit.models`` is ``audit.result.models``."""

    def __init__(self, result: Any, directory: Path, *, keep: Any = None) -> None:
        super().__init__(directory, None, keep)
        self.result = result

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "result":
            raise AttributeError(name)
        return getattr(self.result, name)


class SyntheticAudit(_ReadsThrough):
    """A synthetic-data audit's result in a notebook; see the module."""

    _files = (SYNTHETIC_RESULTS_FILE,)
    result: SyntheticAuditResult

    @property
    def verdict(self) -> str:
        row = self._page().headline
        return row.assessment.level.label if row is not None and row.assessment is not None else "not assessed"

    def to_frame(self) -> pd.DataFrame:
        """One row per attack: success rates on real (ORI), control and baseline, and the risk with its intervals."""
        rows: list[dict[str, Any]] = []
        for a in self.result.attacks:
            sim = a.risk.simultaneous
            rows.append({"attack": a.name, "family": a.attack, "ori": a.ori.rate, "control": a.control.rate,
                         "baseline": a.baseline.rate, "risk": a.risk.value, "risk_low": a.risk.ci_low,
                         "risk_high": a.risk.ci_high, "risk_simultaneous_low": sim.ci_low if sim else None,
                         "risk_simultaneous_high": sim.ci_high if sim else None, "significant": a.significant,
                         "undefined_reason": a.risk.undefined_reason})
        for m in self.result.membership:
            rows.append({"attack": m.name, "family": "membership", "auc": m.auc, "auc_low": m.ci_low,
                         "auc_high": m.ci_high, "auc_simultaneous_low": m.simultaneous.ci_low,
                         "auc_simultaneous_high": m.simultaneous.ci_high, "advantage": m.advantage,
                         "significant": not m.not_better_than_random})
        return pd.DataFrame(rows)

    def _render(self) -> str:
        from leakpro.notebook.html import synthetic_html

        return synthetic_html(self.result, self._page())

    def __repr__(self) -> str:
        return f"<SyntheticAudit: {len(self.result.attacks) + len(self.result.membership)} attacks; {self.directory}>"


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="leakpro-")


def load_result(path: str | Path) -> Any:
    """A saved result (a folder written by ``.save`` or ``leakpro audit --out``, or its results file), checked as
    ``leakpro report`` checks it: a membership audit (``results.json`` + scores), a synthetic-data audit, or a
    language-model audit (``llm_results.json``: an :class:`~leakpro.notebook.llm.LLMAudit`)."""
    path = Path(path)
    folder = path.parent if path.is_file() else path
    llm = folder / "llm_results.json"
    if llm.is_file() and (path.name == llm.name or not (folder / RESULTS_FILE).is_file()):
        from leakpro.notebook.llm import LLMAudit
        from leakpro.results.llm import LLMAuditResult

        return LLMAudit(LLMAuditResult.model_validate_json(llm.read_text(encoding="utf-8")), folder)
    if (folder / RESULTS_FILE).is_file() and path.name != SYNTHETIC_RESULTS_FILE:
        inputs = load_inputs(folder / RESULTS_FILE, None)  # validates results.json and every scores file
        assert inputs.result is not None
        return ModelAudit(inputs.result, folder)
    if (folder / SYNTHETIC_RESULTS_FILE).is_file():
        text = (folder / SYNTHETIC_RESULTS_FILE).read_text(encoding="utf-8")
        return SyntheticAudit(SyntheticAuditResult.model_validate_json(text), folder)
    raise FileNotFoundError(f"{folder} holds neither {RESULTS_FILE} nor {SYNTHETIC_RESULTS_FILE}; give the folder "
                            "an audit saved its results to")
