"""``leakpro`` command line. Heavy libraries are imported inside the commands so ``--help`` is fast."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from leakpro.results.types import AuditResult

app = typer.Typer(
    name="leakpro",
    help="Measure how much sensitive data leaks from a trained model or a synthetic dataset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="directory for results.json, scores and the report")]
PdfOpt = Annotated[bool, typer.Option("--pdf/--no-pdf", help="also render report.pdf (WeasyPrint)")]
TRUST_HELP = ("allow what can run code: pickled model files, importing package.module:Class paths other than "
              "scikit-learn / XGBoost / LightGBM estimators, and callable or command synthetic-data generators")


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console()


def _fail(title: str, detail: object, code: int = 2) -> typer.Exit:
    """Print ``title`` in red and ``detail`` literally (escaped: rich would eat ``[nan, 1.0]`` as markup)."""
    from rich.markup import escape

    text = escape(str(detail))
    _console().print(f"[bold red]{escape(title)}[/] {text}" if title else f"[red]{text}[/]")
    return typer.Exit(code)


# Config fields the CLI fills from its options, named as the user typed them.
_CLI_FIELDS = {"out": "--out", "cache": "--cache"}


def _config_error_text(exc: Exception, trust: bool = False) -> str:
    """The problems as the user typed them (``--out``, not ``out``); with ``--trust``, none that trust lifts
    (they come from checking a config the schema refused, which happens before ``--trust`` is applied)."""
    from leakpro.config.errors import ConfigError, ConfigIssue

    if not isinstance(exc, ConfigError):
        return str(exc)
    renamed = [ConfigIssue(_CLI_FIELDS.get(i.field, i.field), i.problem, i.fix, i.received, i.needs_trust)
               for i in exc.issues if not (trust and i.needs_trust)]
    return str(ConfigError(renamed, exc.notes))


def _check_out(out: Path) -> None:
    """Refuse an --out that is a file or cannot be written, before anything runs."""
    from leakpro.audit.checks import out_dir_problem

    problem = out_dir_problem(out)
    if problem is not None:
        raise _fail("--out:", f"{problem}. Fix: give a directory you can write to as --out; nothing was run.")


def _run_and_show(config: object, out: Path, cache: Path | None, trust: bool = False, pdf: bool = True) -> None:
    from leakpro.audit.runner import AuditIncomplete, run_audit
    from leakpro.cli.progress import RichProgress
    from leakpro.config.errors import ConfigError
    from leakpro.targets.http_target import HttpTargetError, QueryBudgetExceeded

    console = _console()
    try:
        with RichProgress(console) as progress:
            result = run_audit(config, out=out, cache_dir=cache, progress=progress, trust=trust)  # type: ignore[arg-type]
    except ConfigError as exc:
        raise _fail("Config error — nothing was run.\n", _config_error_text(exc, trust)) from None
    except AuditIncomplete as exc:
        if exc.result is not None:
            _show_result(exc.result, out, console)
        _fail("", str(exc), 1)
        if exc.saved is not None:
            _write_report(exc.saved, out, pdf=pdf)
        raise typer.Exit(1) from None
    except (HttpTargetError, QueryBudgetExceeded) as exc:
        raise _fail("The prediction endpoint failed —", str(exc), 1) from None
    _show_result(result, out, console)
    _write_report(out / "results.json", out, pdf=pdf)


def _show_result(result: AuditResult, out: Path, console: Console) -> None:
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


def _write_report(results_json: Path, out: Path, pdf: bool) -> None:
    from leakpro.report import render_report, report_or_explain

    if not report_or_explain(lambda: render_report(results_json, out, pdf=pdf), results_json, _console()):
        raise typer.Exit(1)


@app.command()
def demo(
    out: OutOpt = Path("leakpro-out/demo"),
    seed: Annotated[int, typer.Option(help="seed for data split, training and attacks")] = 0,
    quick: Annotated[bool, typer.Option(help="a small, fast variant (seconds)")] = False,
    synthetic: Annotated[bool, typer.Option("--synthetic", help="run the synthetic-data demo instead")] = False,
    federated: Annotated[bool, typer.Option("--federated", help="run the federated-learning demo instead")] = False,
    llm: Annotated[bool, typer.Option("--llm", help="run the language-model demo instead: a tiny GPT-2 fine-tuned "
                                      "here on fortunes, its null control, canaries and the blind baseline")] = False,
    inversion: Annotated[bool, typer.Option("--inversion", help="run the model-inversion and attribute-inference "
                                            "demo instead (digits, Adult; LFW faces with leakpro[faces])")] = False,
    pdf: PdfOpt = True,
) -> None:
    """Audit the embedded Adult MLP (and a null control) with every membership attack."""
    _check_out(out)
    if llm:
        from leakpro.commands.llm_demo import run_llm_demo

        run_llm_demo(out, seed=seed, quick=quick, console=_console(), pdf=pdf)
        return
    if synthetic:
        from leakpro.commands.synthetic_demo import run_synthetic_demo

        run_synthetic_demo(out, seed=seed, console=_console(), pdf=pdf)
        return
    if inversion:
        from leakpro.commands.faces_demo import run_faces_demo
        from leakpro.commands.inversion_demo import (
            run_attribute_inference_demo,
            run_inversion_demo,
            write_inversion_report,
        )

        run_inversion_demo(out, seed=seed, console=_console())
        run_attribute_inference_demo(out, seed=seed, console=_console())
        if not write_inversion_report(out, _console()):
            raise typer.Exit(1)
        run_faces_demo(out / "faces", seed=seed, console=_console(), pdf=pdf)
        return
    if federated:
        from leakpro.commands.federated import run_federated_demo

        run_federated_demo(out, seed=seed, console=_console(), quick=quick)
        return
    from leakpro.commands.demo import demo_config

    _run_and_show(demo_config(seed, quick), out, out, pdf=pdf)


@app.command()
def audit(
    config: Annotated[Path, typer.Argument(help="YAML audit config")],
    out: OutOpt = Path("leakpro-out/audit"),
    cache: Annotated[Optional[Path], typer.Option(help="cache directory (default: --out)")] = None,  # noqa: UP045
    trust: Annotated[bool, typer.Option("--trust", help=TRUST_HELP)] = False,
    pdf: PdfOpt = True,
) -> None:
    """Audit your own target (or, with a `synthetic:` section, a synthetic table or, with `synthetic.generator`, a
    synthetic-data generator; with an `llm:` section, a causal language model saved in a directory) from a YAML
    config.

    The config is validated before anything runs; every problem is listed with its fix. A config that names
    code to import (`package.module:Class` other than scikit-learn / XGBoost / LightGBM estimators) needs
    --trust, as pickles do."""
    from leakpro.config.yaml_io import YamlConfigError, load_yaml_file

    try:
        raw_config = load_yaml_file(config) if config.is_file() else None
    except YamlConfigError:
        raw_config = None  # the membership path reports the problem with its position
    if isinstance(raw_config, dict) and "synthetic" in raw_config:
        _synthetic_from_config(raw_config, config.resolve().parent, out, pdf, trust)
        return
    if isinstance(raw_config, dict) and "llm" in raw_config:
        _llm_from_config(raw_config, config.resolve().parent, out, pdf)
        return
    _run_and_show(config, out.resolve(), cache.resolve() if cache else None, trust=trust, pdf=pdf)


def _llm_from_config(raw: dict[str, object], base: Path, out: Path, pdf: bool) -> None:
    from leakpro.config.errors import ConfigError
    from leakpro.config.llm import parse_llm_config

    try:
        spec = parse_llm_config(raw, base)
    except ConfigError as exc:
        raise _fail("Config error — nothing was run.\n", exc) from None
    _check_out(out)
    from leakpro.commands.llm import run_llm_config

    try:
        run_llm_config(spec, out, console=_console(), pdf=pdf)
    except ConfigError as exc:
        raise _fail("Config error —\n", exc) from None


def _synthetic_from_config(raw: dict[str, object], base: Path, out: Path, pdf: bool, trust: bool = False) -> None:
    from leakpro.commands.synthetic import run_synthetic
    from leakpro.synthetic.config import parse_synthetic_config
    from leakpro.synthetic.errors import SyntheticInputError
    from leakpro.synthetic.generator_config import is_generator_config

    if is_generator_config(raw):
        _generator_from_config(raw, base, out, pdf, trust)
        return
    from leakpro.commands.synthetic_generator import generator_audit_of, run_generator_audit

    try:
        spec = parse_synthetic_config(raw, base, trusted=trust)
    except SyntheticInputError as exc:
        raise _fail("Input error — nothing was run.\n", exc) from None
    _check_out(out)
    also = generator_audit_of(spec)
    try:
        run_synthetic(spec.real, spec.synthetic, spec.control, out, secrets=spec.secrets,
                      aux_columns=spec.aux_columns, column_types=spec.column_types, n_attacks=spec.n_attacks,
                      seed=spec.seed, console=_console(), pdf=pdf, report=also is None)
        if also is not None:  # the generator audit on the real table, then one report over both results
            run_generator_audit(also, out, console=_console(), pdf=pdf)
    except SyntheticInputError as exc:
        raise _fail("Input error — nothing was run.\n", exc) from None


def _generator_from_config(raw: dict[str, object], base: Path, out: Path, pdf: bool, trust: bool) -> None:
    from leakpro.commands.synthetic_generator import run_generator_audit
    from leakpro.synthetic.errors import SyntheticInputError
    from leakpro.synthetic.generator_config import parse_generator_config

    try:
        spec = parse_generator_config(raw, base, trusted=trust)
    except SyntheticInputError as exc:
        raise _fail("Input error — nothing was run.\n", exc) from None
    _check_out(out)
    try:
        run_generator_audit(spec, out, console=_console(), pdf=pdf)
    except SyntheticInputError as exc:
        raise _fail("Input error — nothing was run.\n", exc) from None


@app.command()
def report(
    results: Annotated[Path, typer.Argument(help="results.json of an audit, or a directory of result files")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="directory (default: beside results)")] = None,  # noqa: UP045
    pdf: PdfOpt = True,
) -> None:
    """Re-render report.html (and report.pdf) from stored results without re-running any attack.

    A directory may hold any of results.json, synthetic_results.json and federated_results.json."""
    from leakpro.report.inputs import ResultsFileError, check_result_files

    if out is not None:
        _check_out(out)
    if results.is_dir():
        from leakpro.report import render_report_dir

        try:
            check_result_files(results)
            paths = render_report_dir(results, out or results, pdf=pdf)
        except ResultsFileError as exc:
            raise _fail("Cannot re-render the report:", exc) from None
        except (FileNotFoundError, ValueError) as exc:
            raise _fail(f"{results}:", exc) from None
        _console().print(f"Report: {paths.html}" + (f" and {paths.pdf}" if paths.pdf else ""))
        return
    if not results.is_file():
        raise _fail(f"{results}:", "file not found; give the results.json an audit wrote")
    try:
        check_result_files(results)
    except ResultsFileError as exc:
        raise _fail("Cannot re-render the report:", exc) from None
    _write_report(results, out or results.parent, pdf=pdf)


@app.command("serve-model")
def serve_model(
    model: Annotated[Path, typer.Argument(help="model file: .skops, .safetensors/.pt (with --model-name), .onnx")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8765,
    host: Annotated[str, typer.Option(help="address to bind (loopback unless --allow-remote)")] = "127.0.0.1",
    model_name: Annotated[Optional[str], typer.Option(help="torch: registered model or pkg.mod:Class")] = None,  # noqa: UP045
    params: Annotated[Optional[str], typer.Option(help="torch: constructor arguments as JSON")] = None,  # noqa: UP045
    n_classes: Annotated[Optional[int], typer.Option(help="torch: number of classes")] = None,  # noqa: UP045
    in_features: Annotated[Optional[int], typer.Option(help="torch: input features")] = None,  # noqa: UP045
    output: Annotated[str, typer.Option(help="what the API returns: logits | probabilities | labels")] = "logits",
    trusted_type: Annotated[Optional[list[str]], typer.Option(help="skops type you accept (repeatable)")] = None,  # noqa: UP045
    trust: Annotated[bool, typer.Option("--trust", help=TRUST_HELP)] = False,
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help="allow a non-loopback address")] = False,
    allowed_host: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--allowed-host", help="a DNS name clients may use for this server besides localhost and its IP addresses "
        "(repeatable); other Host headers are refused (DNS rebinding)")] = None,
) -> None:
    """Serve a model as a JSON prediction endpoint, to audit it through the API threat model."""
    from leakpro.serve import serve_model_command

    if output not in ("logits", "probabilities", "labels"):
        raise _fail(f"--output {output!r}:", "use logits, probabilities or labels")
    try:
        serve_model_command(model, port, host, model_name, params, trust, n_classes, in_features,
                            output=output, allow_remote=allow_remote,  # type: ignore[arg-type]
                            trusted_types=tuple(trusted_type or ()), allowed_hosts=tuple(allowed_host or ()))
    except ValueError as exc:
        raise _fail("Cannot serve the model:", exc) from None


@app.command("federated")
def federated_command(
    config: Annotated[Path, typer.Argument(help="YAML federated-learning audit config")],
    out: OutOpt = Path("leakpro-out/federated"),
) -> None:
    """What a curious server reconstructs from client updates, and what a curious client learns."""
    from leakpro.commands.federated import run_federated_command
    from leakpro.federated.config import FederatedConfigError

    _check_out(out)
    try:
        run_federated_command(config, out, _console())
    except FederatedConfigError as exc:
        raise _fail("Config error — nothing was run.\n", exc) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind; anything but loopback needs --token")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8765,
    token: Annotated[Optional[str], typer.Option(help="required on every request (16+ characters)")] = None,  # noqa: UP045
    data_dir: Annotated[Optional[Path], typer.Option(help="audit history and files [default: ~/.leakpro/web]")] = None,  # noqa: UP045
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="open the page in a browser")] = False,
) -> None:
    """Start the local web app: run audits and read their reports without a terminal."""
    from leakpro.serve.command import port_problem
    from leakpro.web.cli import serve_command

    problem = port_problem(host, port)
    if problem is not None:
        raise _fail("Cannot start the web app:", problem)
    try:
        serve_command(host, port, token, data_dir or Path.home() / ".leakpro" / "web", open_browser)
    except ValueError as exc:
        raise _fail("Cannot start the web app:", exc) from None


@app.command()
def attacks() -> None:
    """List every attack of every family with its question, threat model, paper and parameters."""
    from itertools import groupby

    from rich.markup import escape
    from rich.table import Table

    from leakpro.attacks.catalogue import FAMILIES
    from leakpro.commands.catalogue import every_attack, format_default

    for family, group in groupby(every_attack(), key=lambda card: card.family):
        table = Table(title=f"{family} — {FAMILIES[family]}", title_justify="left")
        for col in ("name", "attack", "question", "threat model", "paper", "parameters (default)"):
            table.add_column(col)
        for card in group:
            params = ", ".join(f"{k}={format_default(v)}" for k, v in card.parameters().items())
            table.add_row(card.name, escape(card.title), escape(card.question), escape(card.threat_model),
                          escape(card.paper), escape(params or "—"))
        _console().print(table)


@app.command()
def datasets() -> None:
    """List the built-in datasets (``data: {builtin: NAME}``) with their licences and the extra each needs."""
    from rich.markup import escape
    from rich.table import Table

    from leakpro.data.registry import builtin_datasets

    table = Table(title="Built-in datasets")
    for col in ("name", "what", "licence"):
        table.add_column(col)
    for name, entry in builtin_datasets().items():
        table.add_row(name, escape(entry.description), escape(entry.licence))
    _console().print(table)


@app.command()
def synthetic(
    real: Annotated[Path, typer.Option("--real", help="real records the generator was fit on (CSV/Parquet)")],
    synthetic_table: Annotated[Path, typer.Option("--synthetic", help="the synthetic table")],
    control: Annotated[Path, typer.Option("--control", help="real records the generator never saw")],
    out: OutOpt = Path("leakpro-out/synthetic"),
    secret: Annotated[Optional[list[str]], typer.Option(help="secret column (repeatable)")] = None,  # noqa: UP045
    aux: Annotated[Optional[list[str]], typer.Option(help="attacker's auxiliary column (repeatable)")] = None,  # noqa: UP045
    column_type: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--column-type", help="override an inferred type: COLUMN=numeric|categorical (repeatable)"),
    ] = None,
    attacks: Annotated[Optional[int], typer.Option(help="attack targets per attack (default: automatic)")] = None,  # noqa: UP045
    seed: int = 0,
    pdf: PdfOpt = True,
) -> None:
    """Audit a synthetic table: singling out, linkability, inference, membership."""
    from leakpro.commands.synthetic import run_synthetic
    from leakpro.synthetic.errors import SyntheticInputError

    types: dict[str, str] = {}
    for item in column_type or []:
        column, sep, kind = item.partition("=")
        if not sep:
            raise _fail(f"--column-type {item!r}:", "write COLUMN=numeric or COLUMN=categorical")
        types[column] = kind
    _check_out(out)
    try:
        run_synthetic(real, synthetic_table, control, out, secrets=secret, aux_columns=aux,
                      column_types=types or None, n_attacks=attacks, seed=seed, console=_console(), pdf=pdf)
    except SyntheticInputError as exc:
        raise _fail("Input error — nothing was run.\n", exc) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
