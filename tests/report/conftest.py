"""A stored results directory built in a second (no training): planted leaks of known strength and a null control.

The scores are drawn, not produced by attacks, and turned into figures by the audit's own challenger code
(:func:`leakpro.metrics.summary.membership_metrics`), so results.json is exactly what an audit would write.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leakpro.metrics.summary import membership_metrics
from leakpro.report import ReportPaths, render_report
from leakpro.results.types import AttackResult, AuditResult, DataSummary, TargetResult
from xdist_schedule import once_per_run

N_CANDIDATES = 600
# attack id -> (registered name, title, shift of members' scores on the audited model, discrete scores?)
ATTACKS = {
    "lira-online": ("lira", "LiRA", 1.2, False),
    "loss": ("loss", "LOSS threshold", 0.35, False),
    "label_only_augmentation": ("label_only_augmentation", "Label-only (noise augmentation)", 0.0, True),
}


def _scores(rng: np.random.Generator, members: np.ndarray, shift: float, discrete: bool) -> np.ndarray:
    if discrete:
        return rng.integers(0, 17, members.size) / 16.0
    return rng.normal(0.0, 1.0, members.size) + shift * members


def _target(name: str, role: str, seed: int, leak: bool, records: np.ndarray, members: np.ndarray,
            out: Path) -> TargetResult:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"record": records, "member": members, "label": rng.integers(0, 2, records.size)})
    attacks = []
    for attack_id, (attack, title, shift, discrete) in ATTACKS.items():
        s = _scores(rng, members, shift if leak else 0.0, discrete)
        table[attack_id] = s
        attacks.append(AttackResult(
            id=attack_id, attack=attack, title=title, paper=f"Paper of {title}, 2024", threat_model="scores",
            params={"reference_models": 4, "mode": "online"} if attack == "lira" else {}, derived={}, seed=seed,
            runtime_s=0.25, queries=int(records.size), scores_column=attack_id, **membership_metrics(s, members),
        ))
    (out / "scores").mkdir(exist_ok=True)
    table.to_csv(out / "scores" / f"{name}.csv", index=False, float_format="%.10g")
    return TargetResult(name=name, role=role, description=f"planted {name}", train_accuracy=0.97,  # type: ignore[arg-type]
                        test_accuracy=0.81, scores_file=f"scores/{name}.csv", attacks=attacks)


def build_results(out: Path, seed: int = 11) -> AuditResult:
    """Write results.json + scores/ for a planted audit on Adult rows into ``out``."""
    rng = np.random.default_rng(seed)
    records = np.sort(rng.choice(48_842, N_CANDIDATES, replace=False))
    members = np.zeros(N_CANDIDATES, dtype=bool)
    members[rng.choice(N_CANDIDATES, N_CANDIDATES // 2, replace=False)] = True
    targets = [_target("target", "target", seed, True, records, members, out),
               _target("null", "null", seed + 1, False, records, members, out)]
    result = AuditResult(
        leakpro_version="0.0-test", created="2026-01-02T03:04:05+00:00", seed=seed,
        config={"name": "planted-report-test", "seed": seed, "data": {"builtin": "adult"}, "attacks": "all"},
        config_hash="f" * 12 + "0123456789abcdef" * 3 + "e" * 4, versions={"python": "3.11", "numpy": "2"},
        data=DataSummary(name="adult", n_records=48_842, n_candidates=N_CANDIDATES, n_members=N_CANDIDATES // 2,
                         n_population=300, n_classes=2, member_prior=0.5),
        reference_models=None, targets=targets, stage_runtime_s={"train_targets": 1.5, "attacks": 2.25},
        notes=["planted scores for the report tests"],
    )
    (out / "results.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    return result


@dataclass(frozen=True)
class Rendered:
    result: AuditResult
    paths: ReportPaths
    pdf_text: str


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stored-results")
    build_results(out)
    return out


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The report of the results :func:`results_dir` holds, HTML and PDF, with the PDF's text (pdftotext -layout).

    Rendered once per test run: under xdist the workers of a run share a directory (the parent of each one's
    own), and the first to ask builds the results and renders them there under a file lock; the others read the
    same files (the results are drawn from a fixed seed, so they equal every worker's :func:`results_dir`).
    """
    if not have("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; CI installs it")

    def build(base: Path) -> dict[str, float]:
        (base / "results").mkdir()
        build_results(base / "results")
        made = render_report(base / "results" / "results.json", base / "report")
        assert made.pdf is not None
        return {"html_seconds": made.html_seconds, "pdf_seconds": made.pdf_seconds}

    base, seconds = once_per_run(tmp_path_factory, "rendered-report", build)
    paths = ReportPaths(base / "report" / "report.html", base / "report" / "report.pdf", **seconds)
    result = AuditResult.model_validate_json((base / "results" / "results.json").read_text())
    text = subprocess.run(["pdftotext", "-layout", str(paths.pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return Rendered(result, paths, text)
