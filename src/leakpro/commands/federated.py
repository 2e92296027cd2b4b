"""Faces of the federated audit: ``leakpro federated CONFIG`` and ``leakpro demo --federated``.

Both write ``federated_results.json`` and then ``report.html`` / ``report.pdf`` beside it.

>>> # run_federated_command(Path("federated.yaml"), Path("out"), Console())
>>> # run_federated_demo(Path("out"), quick=True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from leakpro.data.federated import fashion_mnist_available
from leakpro.federated.config import load_federated_config
from leakpro.federated.results import FederatedAuditResult, ReconstructionOutcome
from leakpro.federated.runner import RESULTS_FILE, run_federated_audit


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def _outcome_table(title: str, outcomes: list[ReconstructionOutcome]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("attack", "batch", "steps", "defence", "PSNR dB", "SSIM", "labels", "baseline", "leaks", "s"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        s = o.setting
        if o.column_accuracy is not None and o.baseline_column_accuracy is not None:
            acc = sum(o.column_accuracy.values()) / len(o.column_accuracy)
            base = sum(o.baseline_column_accuracy.values()) / len(o.baseline_column_accuracy)
            quality, baseline, ssim = f"cols {acc:.0%}", f"cols {base:.0%}", "—"
        else:
            quality, ssim = _fmt(o.mean_psnr), _fmt(o.mean_ssim, ".2f")
            baseline = _fmt(max(o.baseline_mean_image_psnr or 0.0, o.baseline_random_image_psnr or 0.0))
        table.add_row(o.attack.replace("inverting_gradients", "IG"), str(s.batch_size), str(s.local_steps),
                      s.defence, quality, ssim, f"{o.label_accuracy:.0%}", baseline,
                      "yes" if o.beats_baseline else "no", f"{o.runtime_s:.1f}")
    return table


def print_federated_result(result: FederatedAuditResult, console: Console) -> None:
    """The console summary: attacks, defences, sweep and the curious client."""
    console.print(_outcome_table(f"Curious server on {result.data} ({result.model})", result.attacks))
    if result.defences:
        console.print(_outcome_table("Defences (first attack re-tested)", result.defences))
    if result.sweep:
        console.print(_outcome_table("Sweep: batch size × local steps", result.sweep))
    mia = result.client_mia
    if mia is not None:
        console.print(
            f"Curious client (membership inference from {mia.rounds} global models, {mia.members} members vs "
            f"{mia.non_members} non-members): AUC {mia.auc:.3f} [{mia.auc_low:.3f}, {mia.auc_high:.3f}]; "
            f"null control AUC {mia.null_auc:.3f} [{mia.null_auc_low:.3f}, {mia.null_auc_high:.3f}]"
        )


def run_federated_command(config_path: Path, out: Path, console: Console) -> FederatedAuditResult:
    """``leakpro federated CONFIG``: validate (every problem at once), run, print, write the results JSON.

    Raises :class:`~leakpro.federated.config.FederatedConfigError` for a bad config.
    """
    cfg = load_federated_config(Path(config_path))
    result = run_federated_audit(cfg, Path(out), progress=lambda msg: console.log(msg))
    print_federated_result(result, console)
    console.print(f"results written to {Path(out) / RESULTS_FILE}")
    write_federated_report(Path(out), console)
    return result


def write_federated_report(out: Path, console: Console) -> bool:
    """Render report.html and report.pdf into ``out`` from its results; say so, or say why not (False).

    A report that cannot be rendered does not lose the audit: the results stay in ``out`` and ``leakpro report``
    can re-render them. WeasyPrint's refusal of a non-``data:`` URL derives from BaseException, hence the broad
    catch; an interrupt or exit is passed on.
    """
    from leakpro.report import render_report_dir, report_or_explain

    return report_or_explain(lambda: render_report_dir(out, pdf=True), out / RESULTS_FILE, console)


def demo_config(seed: int = 0, *, quick: bool = False) -> dict[str, Any]:
    """The demo: Fashion-MNIST (digits when absent or ``quick``) on a small CNN, FedSGD, 4 clients."""
    fashion = fashion_mnist_available() and not quick
    iterations = 1000 if not quick else 200
    return {
        "seed": seed,
        "data": {"name": "fashion_mnist" if fashion else "digits"},
        "model": {"name": "cnn" if fashion else "mlp", "params": {"width": 16} if fashion else {"hidden": [32]}},
        "clients": {"count": 4, "records_per_client": 1},
        "protocol": {"algorithm": "fedsgd", "lr": 0.1},
        "attacks": [{"inverting_gradients": {"iterations": iterations}}, {"idlg": {"iterations": 50}}],
        "defences": [
            {"kind": "local_dp", "clip": 1.0, "noise_multiplier": 0.1},
            {"kind": "prune", "prune_fraction": 0.9},
            {"kind": "secure_aggregation"},
        ],
        "sweep": {"batch_sizes": [1, 4] if quick else [1, 4, 16], "local_steps": [1] if quick else [1, 4]},
        "client_mia": {"rounds": 10 if quick else 30, "local_steps": 20, "records_per_client": 30},
    }


def run_federated_demo(
    out: Path, *, seed: int = 0, console: Console | None = None, quick: bool = False
) -> FederatedAuditResult:
    """``leakpro demo --federated``: audit a simulated FedSGD run end to end and print what leaked."""
    console = console or Console()
    if not fashion_mnist_available() and not quick:
        console.print("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); using 8×8 digits")
    result = run_federated_audit(demo_config(seed, quick=quick), Path(out), progress=lambda msg: console.log(msg))
    print_federated_result(result, console)
    console.print(f"results written to {Path(out) / RESULTS_FILE}")
    write_federated_report(Path(out), console)
    return result
