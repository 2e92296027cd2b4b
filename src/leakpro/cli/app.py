"""``leakpro`` command line. Heavy libraries are imported inside the commands so ``--help`` is fast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from leakpro.cli.common import check_out, fail, make_console, run_and_show, write_report
from leakpro.cli.sections import llm_from_config, synthetic_from_config

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
    check_out(out)
    if llm:
        from leakpro.commands.llm_demo import run_llm_demo

        run_llm_demo(out, seed=seed, quick=quick, console=make_console(), pdf=pdf)
        return
    if synthetic:
        from leakpro.commands.synthetic_demo import run_synthetic_demo

        run_synthetic_demo(out, seed=seed, console=make_console(), pdf=pdf)
        return
    if inversion:
        from leakpro.commands.faces_demo import run_faces_demo
        from leakpro.commands.inversion_demo import (
            run_attribute_inference_demo,
            run_inversion_demo,
            write_inversion_report,
        )

        run_inversion_demo(out, seed=seed, console=make_console())
        run_attribute_inference_demo(out, seed=seed, console=make_console())
        if not write_inversion_report(out, make_console()):
            raise typer.Exit(1)
        run_faces_demo(out / "faces", seed=seed, console=make_console(), pdf=pdf)
        return
    if federated:
        from leakpro.commands.federated import run_federated_demo

        run_federated_demo(out, seed=seed, console=make_console(), quick=quick)
        return
    from leakpro.commands.demo import demo_config

    run_and_show(demo_config(seed, quick), out, out, pdf=pdf)


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
        synthetic_from_config(raw_config, config.resolve().parent, out, pdf, trust)
        return
    if isinstance(raw_config, dict) and "llm" in raw_config:
        llm_from_config(raw_config, config.resolve().parent, out, pdf)
        return
    run_and_show(config, out.resolve(), cache.resolve() if cache else None, trust=trust, pdf=pdf)


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
        check_out(out)
    if results.is_dir():
        from leakpro.report import render_report_dir

        try:
            check_result_files(results)
            paths = render_report_dir(results, out or results, pdf=pdf)
        except ResultsFileError as exc:
            raise fail("Cannot re-render the report:", exc) from None
        except (FileNotFoundError, ValueError) as exc:
            raise fail(f"{results}:", exc) from None
        make_console().print(f"Report: {paths.html}" + (f" and {paths.pdf}" if paths.pdf else ""))
        return
    if not results.is_file():
        raise fail(f"{results}:", "file not found; give the results.json an audit wrote")
    try:
        check_result_files(results)
    except ResultsFileError as exc:
        raise fail("Cannot re-render the report:", exc) from None
    write_report(results, out or results.parent, pdf=pdf)


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
        raise fail(f"--output {output!r}:", "use logits, probabilities or labels")
    try:
        serve_model_command(model, port, host, model_name, params, trust, n_classes, in_features,
                            output=output, allow_remote=allow_remote,  # type: ignore[arg-type]
                            trusted_types=tuple(trusted_type or ()), allowed_hosts=tuple(allowed_host or ()))
    except ValueError as exc:
        raise fail("Cannot serve the model:", exc) from None


@app.command("federated")
def federated_command(
    config: Annotated[Path, typer.Argument(help="YAML federated-learning audit config")],
    out: OutOpt = Path("leakpro-out/federated"),
) -> None:
    """What a curious server reconstructs from client updates, and what a curious client learns."""
    from leakpro.commands.federated import run_federated_command
    from leakpro.federated.config import FederatedConfigError

    check_out(out)
    try:
        run_federated_command(config, out, make_console())
    except FederatedConfigError as exc:
        raise fail("Config error — nothing was run.\n", exc) from None


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
        raise fail("Cannot start the web app:", problem)
    try:
        serve_command(host, port, token, data_dir or Path.home() / ".leakpro" / "web", open_browser)
    except ValueError as exc:
        raise fail("Cannot start the web app:", exc) from None


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
        make_console().print(table)


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
    make_console().print(table)


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
            raise fail(f"--column-type {item!r}:", "write COLUMN=numeric or COLUMN=categorical")
        types[column] = kind
    check_out(out)
    try:
        run_synthetic(real, synthetic_table, control, out, secrets=secret, aux_columns=aux,
                      column_types=types or None, n_attacks=attacks, seed=seed, console=make_console(), pdf=pdf)
    except SyntheticInputError as exc:
        raise fail("Input error — nothing was run.\n", exc) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
