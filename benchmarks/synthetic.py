"""Benchmark: LeakPro's synthetic-data attacks beside anonymeter on the same Adult tables.

Anonymeter (Giomi et al. 2023's reference implementation) pins numpy<1.27, so it lives in its own
throwaway venv and runs in a subprocess; it is never a LeakPro dependency. Set it up once with

    python benchmarks/synthetic.py --setup /tmp/anonvenv

(``pip install --no-deps anonymeter`` then numpy, pandas, scikit-learn, scipy, polars, ``pyarrow<22``,
numba), then run

    python benchmarks/synthetic.py --anonymeter-python /tmp/anonvenv/bin/python --rows 10000 --attacks 500

It prints both risks with their intervals side by side, whether the intervals overlap, and the speed ratio.
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
    subprocess.run([*pip, "--no-deps", "anonymeter"], check=True)
    subprocess.run([*pip, "numpy", "pandas", "scikit-learn", "scipy", "polars", "pyarrow<22", "numba"], check=True)


def ours(ori_syn_ctl: tuple[Any, Any, Any], n_attacks: int) -> dict[str, dict[str, Any]]:
    """LeakPro's attacks on the three frames; risk, interval and seconds per attack."""
    ori, syn, ctl = ori_syn_ctl
    tables = encode_tables(ori, syn, ctl, infer_column_types(ori))
    aux = [c for c in ori.columns if c != SECRET]
    attacks: dict[str, SinglingOut | Linkability | Inference] = {
        "singling_out/univariate": SinglingOut(mode="univariate", n_attacks=n_attacks),
        "singling_out/multivariate": SinglingOut(mode="multivariate", n_attacks=n_attacks),
        "linkability": Linkability(aux_split=SPLIT, n_attacks=n_attacks),
        f"inference/{SECRET}": Inference(secret=SECRET, aux=aux, n_attacks=n_attacks),
    }
    out: dict[str, dict[str, Any]] = {}
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


def full_audit(ori: pd.DataFrame, syn: pd.DataFrame, ctl: pd.DataFrame, n_attacks: int) -> None:
    """Time the whole ``audit_synthetic`` (every attack of the default plan) and print its stages."""
    start = time.perf_counter()
    res = audit_synthetic(ori, syn, ctl, n_attacks=n_attacks, seed=0)
    wall = time.perf_counter() - start
    stages: dict[str, float] = {}
    for r in [*res.attacks, *res.membership]:
        key = f"{r.attack}/{r.variant}"
        stages[key] = stages.get(key, 0.0) + r.runtime_s
    print(
        f"full audit_synthetic: {len(ori)} rows, {n_attacks} attacks, {len(res.attacks) + len(res.membership)} "
        f"attacks run, wall {wall:.2f} s"
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
    parser.add_argument("--audit", action="store_true", help="also time the whole audit_synthetic")
    args = parser.parse_args()
    if args.setup:
        setup(args.setup)
        return
    n = args.rows
    ori, syn, ctl = frames(n, args.generator)
    if args.audit:
        full_audit(ori, syn, ctl, args.attacks)
    mine = ours((ori, syn, ctl), args.attacks)
    theirs: dict[str, dict[str, Any]] = {}
    if args.anonymeter_python:
        with tempfile.TemporaryDirectory() as d:
            for name, frame in (("ori", ori), ("syn", syn), ("control", ctl)):
                frame.to_parquet(Path(d) / f"{name}.parquet")
            proc = subprocess.run(
                [
                    str(args.anonymeter_python),
                    "-c",
                    ANONYMETER_SCRIPT,
                    d,
                    str(args.attacks),
                    json.dumps(SPLIT),
                    SECRET,
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            theirs = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{args.generator}, {n} rows, {args.attacks} attacks")
    print(f"{'attack':28s} {'leakpro risk [CI]':>26s} {'anonymeter risk [CI]':>26s} overlap  s(ours)  s(anon)  x")
    for name, m in mine.items():
        lo, hi = m["ci"]
        line = f"{name:28s} {m['risk']:+.3f} [{lo:+.3f}, {hi:+.3f}]     "
        if name in theirs:
            t = theirs[name]
            tlo, thi = t["ci"]
            overlap = lo <= thi and tlo <= hi
            ratio = float(t["seconds"]) / max(float(m["seconds"]), 1e-9)
            line += (
                f"{t['risk']:+.3f} [{tlo:+.3f}, {thi:+.3f}]   {overlap!s:7s} {m['seconds']:6.2f} "
                f"{t['seconds']:7.2f} {ratio:5.1f}"
            )
        print(line)


if __name__ == "__main__":
    main()
