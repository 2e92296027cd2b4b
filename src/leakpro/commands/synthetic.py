"""The ``leakpro synthetic`` entry point: read three tables, audit, print, write ``synthetic_results.json`` and the
report (``report.html``, ``report.pdf``) beside it.

>>> # run_synthetic(Path("ori.csv"), Path("syn.csv"), Path("control.csv"), Path("out"))
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console

from leakpro.commands.synthetic_tables import print_audit
from leakpro.synthetic.errors import SyntheticInputError
from leakpro.synthetic.io import file_problems, read_table
from leakpro.synthetic.results import SyntheticAuditResult
from leakpro.synthetic.runner import audit_synthetic

RESULTS_FILE = "synthetic_results.json"


def _read_all(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    problems = file_problems(paths)
    if problems:
        raise SyntheticInputError(problems)
    frames: dict[str, pd.DataFrame] = {}
    for field, path in paths.items():
        try:
            frames[field] = read_table(path)
        except (ValueError, OSError) as exc:
            problems.append(
                f"{field}: could not read {str(path)!r} ({type(exc).__name__}: {exc}); "
                "fix: check that it is a valid CSV or Parquet table."
            )
    if problems:
        raise SyntheticInputError(problems)
    return frames


def run_synthetic(
    real: Path,
    synthetic: Path,
    control: Path,
    out: Path,
    *,
    secrets: list[str] | None = None,
    aux_columns: list[str] | None = None,
    column_types: dict[str, str] | None = None,
    n_attacks: int | None = None,
    seed: int = 0,
    console: Console | None = None,
    report: bool = True,
    pdf: bool = True,
) -> SyntheticAuditResult:
    """Audit ``synthetic`` (made from ``real``) against ``control``; write ``out/synthetic_results.json`` and, with
    ``report``, ``out/report.html`` (and ``out/report.pdf`` with ``pdf``) drawn from every result file in ``out``.

    Raises :class:`~leakpro.synthetic.errors.SyntheticInputError` listing every input problem found. A report that
    cannot be rendered is said on ``console`` (the results stay written; ``leakpro report`` re-renders them).
    """
    console = console or Console()
    frames = _read_all({"real": Path(real), "synthetic": Path(synthetic), "control": Path(control)})
    result = audit_synthetic(
        frames["real"],
        frames["synthetic"],
        frames["control"],
        secrets=secrets,
        aux_columns=aux_columns,
        column_types=column_types,
        n_attacks=n_attacks,
        seed=seed,
    )
    print_audit(result, console)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / RESULTS_FILE).write_text(result.to_json())
    console.print(f"results written to {out / RESULTS_FILE}")
    if report:
        from leakpro.report import render_report_dir, report_or_explain

        report_or_explain(lambda: render_report_dir(out, pdf=pdf), out / RESULTS_FILE, console)
    return result
