"""What a job does: call the audit API on the audit's own directory, then draw the report from its results.

Membership audits run ``config.yaml`` through :func:`~leakpro.audit.runner.run_audit` with the audit directory
as cache (so a resumed audit reuses its reference models). Synthetic audits run the ``synthetic:`` config
through :func:`~leakpro.commands.synthetic.run_synthetic`. Both end with :func:`~leakpro.report.render_report`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from leakpro.config.yaml_io import load_yaml_file
from leakpro.results.types import AuditResult, DataSummary
from leakpro.version import __version__
from leakpro.web.jobs import WebProgress
from leakpro.web.models import Audit, AuditKind
from leakpro.web.storage import AuditDir


def execute(audit: Audit, d: AuditDir, progress: WebProgress) -> None:
    if audit.kind == AuditKind.MEMBERSHIP.value:
        run_membership(d, progress)
    elif audit.kind == AuditKind.LLM.value:
        run_llm_audit_job(d, progress)
    else:
        run_synthetic_audit(d, progress)
    progress.stage("writing the report" + (" (HTML and PDF)" if audit.pdf else ""))
    write_report(d, bool(audit.pdf))


def run_membership(d: AuditDir, progress: WebProgress) -> None:
    from leakpro.audit.runner import run_audit

    progress.stage("checking the config and loading the data")
    run_audit(d.config, out=d.out, cache_dir=d.root, progress=progress)


def run_synthetic_audit(d: AuditDir, progress: WebProgress) -> None:
    from leakpro.commands.synthetic import run_synthetic
    from leakpro.synthetic.config import parse_synthetic_config

    progress.stage("reading the tables")
    raw = load_yaml_file(d.config)  # the one config reader: no aliases, no duplicate keys
    spec = parse_synthetic_config(raw, d.root)
    progress.stage("singling out, linkability, inference and membership attacks")
    result = run_synthetic(spec.real, spec.synthetic, spec.control, d.out, secrets=spec.secrets,
                           aux_columns=spec.aux_columns, column_types=spec.column_types, n_attacks=spec.n_attacks,
                           seed=spec.seed, console=Console(file=io.StringIO()), report=False)  # write_report renders it
    progress.check()
    from leakpro.commands.synthetic_generator import generator_audit_of, run_generator_audit

    also = generator_audit_of(spec)
    if also is not None:
        progress.stage(f"auditing the generator ({also.generator.label}) by shadow modelling")
        run_generator_audit(also, d.out, console=Console(file=io.StringIO()), report=False,
                            cache_dir=d.root / "generator_cache")
        progress.check()
    _write_frame(d.results, raw, spec.seed, int(result.sizes.get("real", 0)), result.versions)


def run_llm_audit_job(d: AuditDir, progress: WebProgress) -> None:
    """The built-in language-model demo (``llm_demo: {size: quick|full}``), as ``leakpro demo --llm``, or the audit
    of an uploaded model (an ``llm:`` section, as ``leakpro audit``)."""
    from leakpro.commands.llm_demo import run_llm_demo
    from leakpro.results.llm import LLMAuditResult

    raw = load_yaml_file(d.config)
    if "llm" in raw:
        _run_uploaded_llm(d, raw, progress)
        return
    seed = int(raw.get("seed", 0))
    quick = (raw.get("llm_demo") or {}).get("size", "quick") != "full"

    def say(msg: str) -> None:
        progress.check()
        progress.stage(msg)

    path = run_llm_demo(d.out, seed=seed, quick=quick, say=say, report=False)
    progress.check()
    result = LLMAuditResult.model_validate_json(path.read_text(encoding="utf-8"))
    _write_frame(d.results, raw, seed, result.candidates, result.versions,
                           note="A language-model audit: its results are in llm_results.json.", name="fortunes")


def _run_uploaded_llm(d: AuditDir, raw: dict[str, Any], progress: WebProgress) -> None:
    from leakpro.audit.llm import run_llm_audit, write_llm_results
    from leakpro.commands.llm import build_plan
    from leakpro.config.llm import parse_llm_config

    def say(msg: str) -> None:
        progress.check()
        progress.stage(msg)

    config = parse_llm_config(raw, d.root)  # the model was checked at upload; it is loaded safetensors-only here
    plan = build_plan(config, say)
    result, tables = run_llm_audit(plan, cache=d.root / "cache", progress=say)
    write_llm_results(result, tables, d.out)
    progress.check()
    _write_frame(d.results, raw, config.seed, result.candidates, result.versions,
                 note="A language-model audit: its results are in llm_results.json.", name="uploaded texts")


def _write_frame(path: Path, config: dict[str, Any], seed: int, n_records: int,
                           versions: dict[str, str], note: str = "A synthetic-data audit: no membership-inference "
                           "targets were audited.", name: str = "synthetic table") -> None:
    """The report reads ``results.json`` and slots ``synthetic_results.json`` (or ``llm_results.json``) in beside it:
    such an audit gets a ``results.json`` with no membership targets, so the report shows its own section only."""
    result = AuditResult(
        leakpro_version=__version__, created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seed=seed, config=config,
        config_hash=hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest(),
        versions=dict(versions),
        data=DataSummary(name=name, n_records=n_records, n_candidates=0, n_members=0, n_population=0,
                         n_classes=0, member_prior=0.0, base_dir=None, fingerprint=None),
        reference_models=None, targets=[], stage_runtime_s={}, extraction=None, property_inference=None, api_usage=None,
        notes=[note],
    )
    path.write_text(result.model_dump_json(indent=2), encoding="utf-8")


def write_report(d: AuditDir, pdf: bool) -> None:
    from leakpro.report import render_report

    render_report(d.results, d.out, pdf=pdf)
