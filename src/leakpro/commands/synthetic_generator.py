"""Audit a synthetic-data generator from a config (``leakpro audit CONFIG`` with ``synthetic.generator``): run the
shadow-modelling MIA (and the ε audit for a stated DP claim), print the figures, write ``generator_results.json``
and the report beside it.

>>> # run_generator_audit(parse_generator_config(yaml, base), Path("out"))
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rich.console import Console
from rich.table import Table

from leakpro.compute.factory import make_executor
from leakpro.results.environment import package_versions
from leakpro.synthetic.config import SyntheticSpec
from leakpro.synthetic.errors import SyntheticInputError
from leakpro.synthetic.generator_audit import audit_generator
from leakpro.synthetic.generator_config import GeneratorAuditSpec
from leakpro.synthetic.generator_results import GENERATOR_RESULTS_FILE, GeneratorAudit, GeneratorAuditResults
from leakpro.synthetic.io import read_table
from leakpro.synthetic.shadow import ShadowSettings


def generator_audit_of(spec: SyntheticSpec) -> GeneratorAuditSpec | None:
    """The generator audit a table-audit config also asks for (its ``generator``), on its ``real`` table."""
    if spec.generator is None:
        return None
    return GeneratorAuditSpec(real=spec.real, generator=spec.generator, shadow=spec.shadow or ShadowSettings(),
                              epsilon_seeds=spec.epsilon_seeds, seed=spec.seed)


def print_generator_audit(audit: GeneratorAudit, console: Console) -> None:
    """The verdict, the targets (most exposed first) and the ε audits."""
    console.print(f"[bold]{audit.generator}[/bold]: {audit.verdict}")
    table = Table("record", "chosen", "isolation", "shadow AUC [95%]", "TPR@1%", "DCR AUC", "shadow − DCR [95%]",
                  "DOMIAS AUC", "")
    for t in sorted(audit.targets, key=lambda t: -t.shadow.auc.value):
        a, d = t.shadow.auc, t.shadow_minus_dcr
        table.add_row(str(t.record), t.chosen, f"{t.vulnerability:.2f}", f"{a.value:.2f} [{a.low:.2f}, {a.high:.2f}]",
                      f"{t.shadow.tpr_at_1pct.value:.0%}", f"{t.dcr.auc.value:.2f}",
                      f"{d.value:+.2f} [{d.low:+.2f}, {d.high:+.2f}]",
                      f"{t.domias.auc.value:.2f}",
                      "[bold red]exposed[/bold red]" if t.exposed else "")
    console.print(table)
    for e in audit.epsilon:
        verdict = "[bold red]claim violated[/bold red]" if e.violated else "not contradicted"
        console.print(f"stated ε = {e.stated_epsilon:g}: lower bound {e.epsilon_lower:.2f} (ceiling {e.ceiling:.2f}, "
                      f"seed {e.seed}, {e.counted_runs} counted runs) — {verdict}")


def run_generator_audit(spec: GeneratorAuditSpec, out: Path, *, console: Console | None = None, report: bool = True,
                        pdf: bool = True, cache_dir: Path | None = None) -> GeneratorAuditResults:
    """Run the audit of ``spec``; write ``out/generator_results.json`` and (with ``report``) the report.

    Each run's features are cached under ``cache_dir`` (default ``out/generator_cache``)."""
    console = console or Console()
    try:
        data = read_table(spec.real)
    except (ValueError, OSError) as exc:
        raise SyntheticInputError([f"synthetic.real: could not read {str(spec.real)!r} ({exc}); fix: give a valid "
                                   "CSV or Parquet table"]) from None
    try:
        audit = audit_generator(spec.generator, data, spec.shadow, seed=spec.seed,
                                executor=make_executor(spec.executor),
                                cache_dir=cache_dir or Path(out) / "generator_cache",
                                epsilon_seeds=spec.epsilon_seeds,
                                progress=lambda stage, done, total: None)
    except ValueError as exc:
        raise SyntheticInputError([str(exc)]) from None
    print_generator_audit(audit, console)
    result = GeneratorAuditResults(
        audits=[audit], versions=package_versions(("leakpro", "numpy", "pandas", "scikit-learn")),
        config_hash=hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:16])
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / GENERATOR_RESULTS_FILE).write_text(result.to_json())
    console.print(f"results written to {out / GENERATOR_RESULTS_FILE}")
    if report:
        from leakpro.report import render_report_dir, report_or_explain

        report_or_explain(lambda: render_report_dir(out, pdf=pdf), out / GENERATOR_RESULTS_FILE, console)
    return result
