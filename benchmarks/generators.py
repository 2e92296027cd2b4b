"""Benchmark: audit generators, not one table. Shadow-modelling MIA (TAPAS/Groundhog) on worst-case and random
targets beside DCR and DOMIAS on the same evaluation tables, the table-level DCR/DOMIAS of the existing synthetic
audit on one release, and ε lower bounds beside the stated ε of the DP-marginals generator (and its broken twin).

    python benchmarks/generators.py --quick            # about a minute or two on two cores
    python benchmarks/generators.py --out out/gen      # fuller sizes, 3 ε-audit seeds; writes generator_results.json
    python benchmarks/generators.py --sdv-python /tmp/sdvvenv/bin/python   # adds SDV's GaussianCopula (own venv)

SDV pins pandas<3, so it never enters LeakPro's environment: it runs behind the ``command`` generator contract
(CSV in, CSV out) through ``benchmarks/sdv_generator.py`` in its own venv (``python -m venv /tmp/sdvvenv &&
/tmp/sdvvenv/bin/pip install sdv==2.0.0``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from leakpro.compute import LocalExecutor, ProcessPoolExecutor
from leakpro.compute.protocol import Executor
from leakpro.data.adult import load_adult_frame
from leakpro.results.environment import package_versions
from leakpro.synthetic.columns import encode_tables, infer_column_types
from leakpro.synthetic.domain import Domain
from leakpro.synthetic.generator import GeneratorSpec, fit_sample
from leakpro.synthetic.generator_audit import audit_generator
from leakpro.synthetic.generator_results import GENERATOR_RESULTS_FILE, GeneratorAudit, GeneratorAuditResults
from leakpro.synthetic.membership import Membership
from leakpro.synthetic.shadow import ShadowSettings

COLUMNS = ["age", "workclass", "education", "marital_status", "occupation", "race", "sex", "capital_gain",
           "hours_per_week", "income"]


def generators(sdv_python: str | None) -> list[GeneratorSpec]:
    specs = [GeneratorSpec(kind="noisy_copy"), GeneratorSpec(kind="copula"), GeneratorSpec(kind="copula_smooth")]
    if sdv_python:
        script = str(Path(__file__).with_name("sdv_generator.py"))
        specs.append(GeneratorSpec(kind="command", name="sdv_gaussian_copula (command)",
                                   command=[sdv_python, script, "{input}", "{output}", "{n}", "{seed}"]))
    specs += [GeneratorSpec(kind="dp_marginals", params={"epsilon": e}) for e in (1.0, 4.0, 10.0)]
    specs += [GeneratorSpec(kind="dp_marginals_broken", params={"epsilon": 1.0})]
    return specs


def table_level(spec: GeneratorSpec, data: pd.DataFrame, rows: int, seed: int) -> tuple[float, float]:
    """AUC of DCR and DOMIAS of the existing synthetic audit on one release (ORI → SYN, CONTROL held out)."""
    shuffled = data.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    ori, control = shuffled.iloc[:rows], shuffled.iloc[rows: 2 * rows].reset_index(drop=True)
    syn = fit_sample(spec, ori, rows, seed, Domain.from_frame(shuffled.iloc[2 * rows:], bins=spec.bins))
    tables = encode_tables(ori, syn, control, infer_column_types(ori))
    return tuple(Membership(method=m, n_attacks=rows, random_state=seed).run(tables).auc  # type: ignore[return-value]
                 for m in ("dcr", "domias"))


def _cell(audit: GeneratorAudit, chosen: str, attack: str) -> str:
    worst = audit.worst(chosen)
    if worst is None:
        return "-"
    fig = getattr(worst, attack)
    return f"{fig.auc.value:.2f} [{fig.auc.low:.2f},{fig.auc.high:.2f}] {fig.tpr_at_1pct.value:.2f}"


def print_table(rows: list[tuple[GeneratorAudit, tuple[float, float]]]) -> None:
    head = (f"{'generator':<32} {'worst-case shadow AUC [95%] TPR@1%':<36} {'DCR same tables':<26} "
            f"{'shadow−DCR paired':<20} {'DOMIAS same tables':<26} {'random-target shadow':<26} "
            f"{'table DCR/DOMIAS':<17} ε stated → lower bounds")
    print(head)
    print("-" * len(head))
    for audit, (dcr, domias) in rows:
        eps = "-"
        if audit.epsilon:
            bounds = ", ".join(f"{e.epsilon_lower:.2f}" for e in audit.epsilon)
            flag = " VIOLATED" if any(e.violated for e in audit.epsilon) else " ok"
            eps = f"{audit.epsilon[0].stated_epsilon:g} → [{bounds}] (ceiling {audit.epsilon[0].ceiling:.2f}){flag}"
        worst = audit.worst("worst-case")
        diff = "-" if worst is None else (f"{worst.shadow_minus_dcr.value:+.2f} [{worst.shadow_minus_dcr.low:+.2f},"
                                          f"{worst.shadow_minus_dcr.high:+.2f}]")
        print(f"{audit.generator:<32} {_cell(audit, 'worst-case', 'shadow'):<36} "
              f"{_cell(audit, 'worst-case', 'dcr'):<26} {diff:<20} {_cell(audit, 'worst-case', 'domias'):<26} "
              f"{_cell(audit, 'random', 'shadow'):<26} {dcr:.2f}/{domias:.2f}{'':<7} {eps}")
    print("\nCells: the target (of that kind) with the highest shadow AUC; its DCR/DOMIAS on the very same evaluation "
          "tables. AUC [DeLong 95%] then TPR at FPR ≤ 1%. shadow−DCR: paired DeLong difference [95%].")
    for audit, _ in rows:
        worst = [t for t in audit.targets if t.chosen == "worst-case"]
        beats = [t.record for t in worst if t.beats_dcr]
        exposed = [t.record for t in audit.targets if t.exposed]
        print(f"{audit.generator}: shadow beats DCR (paired 95% above 0) on {len(beats)} of {len(worst)} worst-case "
              f"targets {beats}; exposed targets (AUC above 0.5, simultaneous over targets): {exposed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, one ε-audit seed")
    parser.add_argument("--workers", type=int, default=2, help="process-pool workers (1: in-process)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sdv-python", help="python of a venv with sdv==2.0.0, to add SDV's GaussianCopula")
    parser.add_argument("--only", nargs="*", help="generator kinds to run (default: all)")
    parser.add_argument("--out", type=Path, help="write generator_results.json here")
    args = parser.parse_args()
    if args.quick:
        settings = ShadowSettings(targets=2, random_targets=2, rows=150, train_tables=60, eval_tables=60,
                                  epsilon_runs=400, epsilon_train_runs=100, epsilon_synthetic_rows=1500)
        n_data, eps_seeds = 2000, 1
    else:
        settings = ShadowSettings(targets=4, random_targets=4, rows=150, train_tables=100, eval_tables=100,
                                  epsilon_runs=600, epsilon_train_runs=200, epsilon_synthetic_rows=1500)
        n_data, eps_seeds = 3000, 3
    data = load_adult_frame("train")[COLUMNS].sample(n_data, random_state=args.seed).reset_index(drop=True)
    executor: Executor = ProcessPoolExecutor(workers=args.workers) if args.workers > 1 else LocalExecutor()
    rows = []
    for spec in generators(args.sdv_python):
        if args.only and spec.kind not in args.only:
            continue
        start = time.perf_counter()
        run_settings = settings
        if spec.kind == "command":  # a fresh interpreter per fit (SDV's import alone takes seconds): fewer runs
            run_settings = settings.model_copy(update={"targets": 1, "random_targets": 1, "train_tables": 40,
                                                       "eval_tables": 40})
        audit = audit_generator(spec, data, run_settings, seed=args.seed, executor=executor, epsilon_seeds=eps_seeds)
        rows.append((audit, table_level(spec, data, settings.rows, args.seed)))
        print(f"  {audit.generator}: {time.perf_counter() - start:.0f} s — {audit.verdict}", file=sys.stderr)
    print()
    print_table(rows)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        res = GeneratorAuditResults(audits=[a for a, _ in rows], config_hash="benchmark",
                                    versions=package_versions(("leakpro", "numpy", "pandas", "scikit-learn")))
        (args.out / GENERATOR_RESULTS_FILE).write_text(res.to_json())


if __name__ == "__main__":
    main()
