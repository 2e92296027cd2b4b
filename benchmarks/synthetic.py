"""Benchmark: LeakPro's synthetic-data attacks beside anonymeter on the same Adult tables.

Anonymeter (Giomi et al. 2023's reference implementation) pins numpy<1.27, so it lives in its own
throwaway venv and runs in a subprocess; it is never a LeakPro dependency. Set it up once with

    python benchmarks/synthetic.py --setup /tmp/anonvenv

(``pip install anonymeter==1.1.0 "numpy<1.27" "pandas<3"``: anonymeter's own pins, resolved by pip;
``pip check`` is clean), then run

    python benchmarks/synthetic.py --anonymeter-python /tmp/anonvenv/bin/python --rows 5000 --attacks 500 --audit

It prints both risks with their intervals side by side, whether the intervals overlap, both times and the
ratio (anonymeter's seconds / LeakPro's), per evaluator and in total. Same inputs, same number of attacks,
same auxiliary split and secret, one neighbour for linkability and inference on both sides. LeakPro runs
each evaluator on one thread (every thread pool held at 1); anonymeter runs with its default
``n_jobs=-2``, which is one worker on a 2-core machine, after a warm-up so that numba's one-off
compilation is not counted against it. LeakPro's total includes encoding the three tables once.
``--anonymeter-result FILE`` prints a saved anonymeter JSON line (the script's last output line) instead
of running it again, for sizes where anonymeter takes tens of minutes; say so when quoting it.

``--audit`` also times the whole ``audit_synthetic`` (every attack of the default plan: both singling-out
modes, linkability, nearest and model inference for every column, DCR and DOMIAS) and prints a digest of
its figures, so two versions of the code can be checked to give the same numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from leakpro.data.adult import load_adult_frame
from leakpro.synthetic.columns import encode_tables, infer_column_types
from leakpro.synthetic.generators import GaussianCopula, NoisyCopy
from leakpro.synthetic.inference import Inference
from leakpro.synthetic.linkability import Linkability
from leakpro.synthetic.runner import audit_synthetic
from leakpro.synthetic.singling_out import SinglingOut

SPLIT = (
    ["age", "workclass", "fnlwgt", "education", "marital_status", "occupation", "relationship"],
    ["race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country", "education_num"],
)
SECRET = "income"

ANONYMETER_SCRIPT = """
import json, sys, time
import pandas as pd
from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator
d, n, split, secret = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
only = sys.argv[5].split(",") if len(sys.argv) > 5 and sys.argv[5] else None
ori, syn, ctl = (pd.read_parquet(f"{d}/{k}.parquet") for k in ("ori", "syn", "control"))
out = {}
# Warm-up on 50 rows so that numba's one-off compilation is not counted against anonymeter.
w = ori.iloc[:50]
LinkabilityEvaluator(ori=w, syn=w, control=w, n_attacks=5, aux_cols=tuple(split)).evaluate()
def rec(name, ev, t):
    r = ev.risk(confidence_level=0.95)
    out[name] = {"risk": r.value, "ci": list(r.ci), "seconds": time.perf_counter() - t}
    print(name, round(out[name]["seconds"], 2), "s", file=sys.stderr, flush=True)
for mode in ("univariate", "multivariate"):
    if only and "singling_out/" + mode not in only:
        continue
    t = time.perf_counter()
    rec("singling_out/" + mode, SinglingOutEvaluator(ori=ori, syn=syn, control=ctl, n_attacks=n, seed=0
        ).evaluate(mode=mode), t)
if not only or "linkability" in only:
  t = time.perf_counter()
  rec("linkability", LinkabilityEvaluator(ori=ori, syn=syn, control=ctl, n_attacks=n, aux_cols=tuple(split)
    ).evaluate(), t)
if not only or "inference/" + secret in only:
  t = time.perf_counter()
  aux = [c for c in ori.columns if c != secret]
  rec("inference/" + secret, InferenceEvaluator(ori=ori, syn=syn, control=ctl, aux_cols=aux, secret=secret,
    n_attacks=n).evaluate(), t)
print(json.dumps(out))
"""


def setup(venv: Path) -> None:
    """Create the throwaway anonymeter venv."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "anonymeter==1.1.0", "numpy<1.27", "pandas<3"], check=True)


def ours(ori_syn_ctl: tuple[Any, Any, Any], n_attacks: int) -> dict[str, dict[str, Any]]:
    """LeakPro's attacks on the three frames; risk, interval and seconds per attack."""
    ori, syn, ctl = ori_syn_ctl
    start = time.perf_counter()
    tables = encode_tables(ori, syn, ctl, infer_column_types(ori))
    encode_s = time.perf_counter() - start
    aux = [c for c in ori.columns if c != SECRET]
    attacks: dict[str, SinglingOut | Linkability | Inference] = {
        "singling_out/univariate": SinglingOut(mode="univariate", n_attacks=n_attacks),
        "singling_out/multivariate": SinglingOut(mode="multivariate", n_attacks=n_attacks),
        "linkability": Linkability(aux_split=SPLIT, n_attacks=n_attacks),
        f"inference/{SECRET}": Inference(secret=SECRET, aux=aux, n_attacks=n_attacks),
    }
    out: dict[str, dict[str, Any]] = {"encode": {"seconds": encode_s}}
    with threadpool_limits(limits=1):
        for name, attack in attacks.items():
            start = time.perf_counter()
            res = attack.run(tables)
            out[name] = {
                "risk": res.risk.value,
                "ci": [res.risk.ci_low, res.risk.ci_high],
                "seconds": time.perf_counter() - start,
            }
    return out


def frames(rows: int, generator: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """ORI and CONTROL of ``rows`` rows each from disjoint halves of Adult, and SYN fit on ORI.

    Adult has 48,842 rows; when ``2 * rows`` exceeds that, each half is resampled with replacement and
    ``fnlwgt`` gets a seeded integer jitter in [-500, 500] so that resampled rows are not exact duplicates.
    """
    table = load_adult_frame("all").sample(frac=1.0, random_state=0).reset_index(drop=True)
    if 2 * rows <= len(table):
        ori, ctl = table.iloc[:rows], table.iloc[rows : 2 * rows]
    else:
        rng = np.random.default_rng(0)
        half = len(table) // 2
        parts = []
        for lo, hi in ((0, half), (half, len(table))):
            part = table.iloc[rng.integers(lo, hi, size=rows)].copy()
            part["fnlwgt"] = part["fnlwgt"] + rng.integers(-500, 501, size=rows)
            parts.append(part)
        ori, ctl = parts
    ori, ctl = ori.reset_index(drop=True), ctl.reset_index(drop=True)
    gen = NoisyCopy() if generator == "noisy-copy" else GaussianCopula()
    return ori, gen.fit(ori).sample(rows), ctl


def full_audit(ori: pd.DataFrame, syn: pd.DataFrame, ctl: pd.DataFrame, n_attacks: int, workers: int | None) -> None:
    """Time the whole ``audit_synthetic`` (every attack of the default plan) and print its stages.

    With more than one worker, attacks overlap, so the stage times (each attack's own wall time) add up
    to more than the audit's wall time."""
    start, cpu = time.perf_counter(), time.process_time()
    res = audit_synthetic(ori, syn, ctl, n_attacks=n_attacks, seed=0, workers=workers)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    stages: dict[str, float] = {}
    for r in [*res.attacks, *res.membership]:
        key = f"{r.attack}/{r.variant}"
        stages[key] = stages.get(key, 0.0) + r.runtime_s
    print(
        f"full audit_synthetic: {len(ori)} rows, {n_attacks} attacks, {len(res.attacks) + len(res.membership)} "
        f"attacks run, workers {workers or 'default'}, wall {wall:.2f} s, CPU {cpu:.2f} s"
    )
    for key, sec in stages.items():
        print(f"  {key:32s} {sec:7.2f} s")
    print(f"  figures: overall risk {res.overall_risk():.6f}; digest without runtimes {figures_digest(res)}")


def figures_digest(res: Any) -> str:
    """sha256 of the results JSON with every ``runtime_s`` removed: equal digests mean equal figures."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "runtime_s"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    blob = json.dumps(strip(json.loads(res.to_json())), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", type=Path, help="create the anonymeter venv here and exit")
    parser.add_argument("--anonymeter-python", type=Path, help="python of the anonymeter venv")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--attacks", type=int, default=500)
    parser.add_argument("--generator", choices=["gaussian-copula", "noisy-copy"], default="gaussian-copula")
    parser.add_argument("--anonymeter-result", type=Path, help="saved anonymeter JSON line to print instead")
    parser.add_argument("--audit", action="store_true", help="also time the whole audit_synthetic")
    parser.add_argument("--workers", type=int, default=None, help="audit_synthetic's workers (default: its own)")
    args = parser.parse_args()
    if args.setup:
        setup(args.setup)
        return
    n = args.rows
    ori, syn, ctl = frames(n, args.generator)
    if args.audit:
        full_audit(ori, syn, ctl, args.attacks, args.workers)
    mine = ours((ori, syn, ctl), args.attacks)
    theirs: dict[str, dict[str, Any]] = {}
    if args.anonymeter_result:
        theirs = json.loads(args.anonymeter_result.read_text().strip().splitlines()[-1])
    elif args.anonymeter_python:
        theirs = run_anonymeter(args.anonymeter_python, (ori, syn, ctl), args.attacks)
    print(f"{args.generator}, {n} rows, {args.attacks} attacks")
    report(mine, theirs)


def run_anonymeter(python: Path, frames_: tuple[pd.DataFrame, ...], n_attacks: int) -> dict[str, dict[str, Any]]:
    """Anonymeter's four evaluators in its own venv on the same frames."""
    with tempfile.TemporaryDirectory() as d:
        for name, frame in zip(("ori", "syn", "control"), frames_, strict=True):
            frame.to_parquet(Path(d) / f"{name}.parquet")
        proc = subprocess.run(
            [str(python), "-c", ANONYMETER_SCRIPT, d, str(n_attacks), json.dumps(SPLIT), SECRET],
            check=True,
            capture_output=True,
            text=True,
        )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def report(mine: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]]) -> None:
    """The side-by-side table, with both times and their ratio per evaluator and in total."""
    print(f"{'attack':28s} {'leakpro risk [CI]':>26s} {'anonymeter risk [CI]':>26s} overlap  s(ours)  s(anon)  x")
    total_mine, total_theirs = mine["encode"]["seconds"], 0.0
    print(f"{'encode (LeakPro, once)':28s} {'':26s} {'':26s} {'':7s} {total_mine:7.2f}")
    for name, m in mine.items():
        if name == "encode":
            continue
        lo, hi = m["ci"]
        total_mine += m["seconds"]
        line = f"{name:28s} {m['risk']:+.3f} [{lo:+.3f}, {hi:+.3f}]     "
        if name in theirs:
            t = theirs[name]
            tlo, thi = t["ci"]
            total_theirs += float(t["seconds"])
            overlap = lo <= thi and tlo <= hi
            ratio = float(t["seconds"]) / max(float(m["seconds"]), 1e-9)
            line += f"{t['risk']:+.3f} [{tlo:+.3f}, {thi:+.3f}]   {overlap!s:7s} {m['seconds']:7.2f} "
            line += f"{t['seconds']:8.2f} {ratio:6.1f}"
        else:
            line += f"{'':26s}   {'':7s} {m['seconds']:7.2f}"
        print(line)
    if theirs:
        ratio = total_theirs / max(total_mine, 1e-9)
        print(f"{'total':28s} {'':26s} {'':26s} {'':7s} {total_mine:7.2f} {total_theirs:8.2f} {ratio:6.1f}")


if __name__ == "__main__":
    main()
