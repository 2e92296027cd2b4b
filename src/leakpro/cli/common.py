"""What every ``leakpro`` command shares: the console, failing with a clear message, checking ``--out``, running a
membership audit with live progress and showing its result, and writing the report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from leakpro.results.types import AuditResult


def make_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console()


def fail(title: str, detail: object, code: int = 2) -> typer.Exit:
    """Print ``title`` in red and ``detail`` literally (escaped: rich would eat ``[nan, 1.0]`` as markup)."""
    from rich.markup import escape

    text = escape(str(detail))
    make_console().print(f"[bold red]{escape(title)}[/] {text}" if title else f"[red]{text}[/]")
    return typer.Exit(code)


@contextmanager
def refusing(title: str, *errors: type[Exception]) -> Iterator[None]:
    """Turn any of ``errors`` raised in the block into :func:`fail` with ``title`` and the error's text."""
    try:
        yield
    except errors as exc:
        raise fail(title, exc) from None


# Config fields the CLI fills from its options, named as the user typed them.
CLI_FIELDS = {"out": "--out", "cache": "--cache"}


def config_error_text(exc: Exception, trust: bool = False) -> str:
    """The problems as the user typed them (``--out``, not ``out``); with ``--trust``, none that trust lifts
    (they come from checking a config the schema refused, which happens before ``--trust`` is applied)."""
    from leakpro.config.errors import ConfigError, ConfigIssue

    if not isinstance(exc, ConfigError):
        return str(exc)
    renamed = [ConfigIssue(CLI_FIELDS.get(i.field, i.field), i.problem, i.fix, i.received, i.needs_trust)
               for i in exc.issues if not (trust and i.needs_trust)]
    return str(ConfigError(renamed, exc.notes))


def check_out(out: Path) -> None:
    """Refuse an --out that is a file or cannot be written, before anything runs."""
    from leakpro.audit.checks import out_dir_problem

    problem = out_dir_problem(out)
    if problem is not None:
        raise fail("--out:", f"{problem}. Fix: give a directory you can write to as --out; nothing was run.")


def run_and_show(config: object, out: Path, cache: Path | None, trust: bool = False, pdf: bool = True) -> None:
    from leakpro.audit.runner import AuditIncomplete, run_audit
    from leakpro.cli.progress import RichProgress
    from leakpro.config.errors import ConfigError
    from leakpro.targets.http_target import HttpTargetError, QueryBudgetExceeded

    console = make_console()
    try:
        with RichProgress(console) as progress:
            result = run_audit(config, out=out, cache_dir=cache, progress=progress, trust=trust)  # type: ignore[arg-type]
    except ConfigError as exc:
        raise fail("Config error — nothing was run.\n", config_error_text(exc, trust)) from None
    except AuditIncomplete as exc:
        if exc.result is not None:
            show_result(exc.result, out, console)
        fail("", str(exc), 1)
        if exc.saved is not None:
            write_report(exc.saved, out, pdf=pdf)
        raise typer.Exit(1) from None
    except (HttpTargetError, QueryBudgetExceeded) as exc:
        raise fail("The prediction endpoint failed —", str(exc), 1) from None
    show_result(result, out, console)
    write_report(out / "results.json", out, pdf=pdf)


def show_result(result: AuditResult, out: Path, console: Console) -> None:
    from rich.markup import escape

    from leakpro.cli.tables import accuracy_line, inversion_lines, results_table

    console.print(results_table(result, console.width))
    console.print(escape(accuracy_line(result)))
    for line in inversion_lines(result):
        console.print(line)
    usage = result.api_usage
    if usage is not None:
        console.print(f"API queries: {usage['spent']:,} records spent of a budget of "
                      f"{usage['budget'] if usage['budget'] is not None else 'none'} (this run: {usage['sent']:,} "
                      f"sent, {usage['cache_hits']:,} answered from the cache, {usage['requests']:,} requests)")
    console.print(f"Results: {escape(str(out / 'results.json'))}  (runtime per stage: {result.stage_runtime_s})")


def write_report(results_json: Path, out: Path, pdf: bool) -> None:
    from leakpro.report import render_report, report_or_explain

    if not report_or_explain(lambda: render_report(results_json, out, pdf=pdf), results_json, make_console()):
        raise typer.Exit(1)
