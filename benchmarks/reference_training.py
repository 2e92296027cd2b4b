"""Reference-model training throughput and memory: sequential vs batched vs process pool vs Ray.

Part 1 trains the Adult MLP recipe (108-256-256-2 by default, ``--hidden``; Adam, lr 1e-3, batch 128) as a
ReferenceBank would: ``--models`` models, each on a random half of ``--rows`` Adult rows, outputs on all rows. Every
variant runs in a fresh subprocess (so peak RSS is its own) and the table prints models/second and peak memory as
ratios against the sequential run of the same invocation (the machine is shared: compare ratios, not
absolute numbers, across runs). The process pool's time includes spawning its workers; Ray's excludes
``ray.init`` (reported separately) and its peak RSS is the driver's only (Ray workers are not children).

Part 2 is the memory check of the issue: an audit of 100,000 candidate records (plus population) with 64
reference models. The models are stand-ins that return seeded random logits (training 64 real models
would only add time), but everything else is the real path: ReferenceBank writes each model's float32
outputs to the store, stacks them into one memory-mapped (64, R, C) file, and LiRA scores every candidate
from it (logit margins in float64). Prints the store's size on disk and the process's peak RSS.

    .venv/bin/python benchmarks/reference_training.py [--models 16] [--rows 8000] [--epochs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

VARIANTS = {  # name: (executor kind, batched)
    "sequential": ("local", False),
    "batched": ("local", True),
    "process pool": ("process", False),
    "process pool + batched": ("process", True),
    "ray": ("ray", False),
    "ray + batched": ("ray", True),
}


def _peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB (Linux: KiB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def run_variant(name: str, n_models: int, rows: int, epochs: int, workers: int, seed: int,
                hidden: list[int]) -> dict[str, Any]:
    """Train ``n_models`` reference models with one variant (called in a fresh subprocess)."""
    from leakpro.audit.reference_bank import ReferenceBank
    from leakpro.compute import LocalExecutor, ProcessPoolExecutor, RayExecutor
    from leakpro.compute.protocol import Executor
    from leakpro.config.recipe import TorchRecipe
    from leakpro.data.registry import builtin_datasets
    from leakpro.targets.trainers import TorchTrainer

    kind, batched = VARIANTS[name]
    adult = builtin_datasets()["adult"].load()
    idx = np.random.default_rng(seed).permutation(len(adult))[:rows]
    ds = adult.subset(idx)
    records = type(ds)(ds.name, ds.features, ds.labels, ds.classes)
    recipe = TorchRecipe(model="mlp", params={"hidden": hidden}, optimizer="adam", lr=1e-3, epochs=epochs,
                         batch_size=128)
    executor: Executor
    startup = 0.0
    if kind == "ray":
        import ray

        t0 = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        startup = time.perf_counter() - t0
        executor = RayExecutor(workers=workers)
    elif kind == "process":
        executor = ProcessPoolExecutor(workers=workers)
    else:
        executor = LocalExecutor()
    trainer = TorchTrainer(recipe, 2)
    trainer.fit(records.features[:256], records.labels[:256], seed)  # warm-up: torch's one-time start costs
    bank = ReferenceBank(records, rows, trainer, seed, None, executor=executor, batched=batched)
    t0 = time.perf_counter()
    logits = np.asarray(bank.signals(n_models).logits)
    seconds = time.perf_counter() - t0
    own, kids = _peak_rss_mb()
    return {"variant": name, "seconds": seconds, "startup_s": startup, "peak_rss_mb": own,
            "worker_peak_rss_mb": kids, "checksum": float(np.abs(logits).sum())}


class RandomLogitsTrainer:
    """A stand-in trainer for the memory check: seeded random logits, no training."""

    def __init__(self, n_classes: int) -> None:
        self.n_classes = n_classes

    def fit(self, features: Any, labels: np.ndarray, seed: int) -> Any:
        return _RandomTarget(self.n_classes, seed)

    def key(self) -> str:
        return f"random-logits-{self.n_classes}"


class _RandomTarget:
    def __init__(self, n_classes: int, seed: int) -> None:
        self.n_classes, self.seed = n_classes, seed

    def logits(self, features: Any) -> np.ndarray:
        return np.random.default_rng(self.seed).normal(size=(features.shape[0], self.n_classes))

    def predict(self, features: Any) -> np.ndarray:
        return self.logits(features).argmax(axis=1)

    def describe(self) -> str:
        return "random logits"


def memory_check(n_candidates: int, n_population: int, n_models: int, n_classes: int, d: int) -> dict[str, Any]:
    """Store, stack and score n_models reference models on n_candidates + n_population records."""
    from leakpro.attacks.membership.lira import lira_scores
    from leakpro.audit.reference_bank import ReferenceBank
    from leakpro.data.dataset import Dataset
    from leakpro.signals.math import logit_margin

    rng = np.random.default_rng(0)
    n = n_candidates + n_population
    records = Dataset("synthetic", rng.normal(size=(n, d)).astype(np.float32),
                      rng.integers(0, n_classes, size=n), tuple(str(c) for c in range(n_classes)))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        bank = ReferenceBank(records, n_candidates, RandomLogitsTrainer(n_classes), 0, Path(tmp))
        ref = bank.signals(n_models)
        stored = time.perf_counter() - t0
        rss_store = _peak_rss_mb()[0]
        t0 = time.perf_counter()
        phi = np.empty((n_models, n_candidates))  # streamed: margins per batch of 8,192 records
        for start in range(0, n_candidates, 8192):
            stop = min(start + 8192, n_candidates)
            phi[:, start:stop] = logit_margin(ref.logits[:, start:stop], records.labels[start:stop])
        target_phi = logit_margin(rng.normal(size=(n, n_classes)), records.labels)[:n_candidates]
        scores = lira_scores(target_phi, phi, ref.trained_on[:, :n_candidates], online=True, fixed_variance=True)
        scored = time.perf_counter() - t0
        rss_streamed = _peak_rss_mb()[0]
        logit_margin(ref.logits, records.labels)  # all records at once, as the attacks do today
        rss_one_shot = _peak_rss_mb()[0]
        disk = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    return {"records": n, "candidates": n_candidates, "models": n_models, "classes": n_classes,
            "store_mb": disk / 2**20, "store_s": stored, "score_s": scored, "rss_store_mb": rss_store,
            "rss_streamed_mb": rss_streamed, "rss_one_shot_mb": rss_one_shot,
            "features_mb": records.features.nbytes / 2**20, "finite": bool(np.isfinite(scores).all())}


def _child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=16)
    parser.add_argument("--rows", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256], help="MLP hidden widths")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--_variant", help=argparse.SUPPRESS)
    parser.add_argument("--_memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._variant:
        print(json.dumps(run_variant(args._variant, args.models, args.rows, args.epochs, args.workers, args.seed,
                                     args.hidden)))
        return
    if args._memory:
        print(json.dumps(memory_check(100_000, 20_000, 64, 2, 108)))
        return
    common = ["--models", str(args.models), "--rows", str(args.rows), "--epochs", str(args.epochs),
              "--workers", str(args.workers), "--seed", str(args.seed), "--hidden", *map(str, args.hidden)]
    arch = "-".join(map(str, [108, *args.hidden, 2]))
    print(f"{args.models} Adult MLPs ({arch}), {args.rows // 2} training rows each, {args.epochs} epochs, "
          f"outputs on {args.rows} rows; {args.workers} workers for pools\n")
    results = [_child([*common, "--_variant", v]) for v in args.variants]
    base = next((r for r in results if r["variant"] == "sequential"), results[0])
    print(f"{'variant':<24}{'seconds':>9}{'models/s':>10}{'× speed':>9}{'peak MB':>9}{'× mem':>7}"
          f"{'workers MB':>11}{'startup s':>10}  same numbers")
    for r in results:
        rate = args.models / r["seconds"]
        same = "yes" if abs(r["checksum"] - base["checksum"]) <= 1e-3 * abs(base["checksum"]) else "NO"
        print(f"{r['variant']:<24}{r['seconds']:>9.2f}{rate:>10.2f}{base['seconds'] / r['seconds']:>9.2f}"
              f"{r['peak_rss_mb']:>9.0f}{r['peak_rss_mb'] / base['peak_rss_mb']:>7.2f}"
              f"{r['worker_peak_rss_mb']:>11.0f}{r['startup_s']:>10.1f}  {same}")
    if not args.skip_memory:
        m = _child(["--_memory"])
        print(f"\nmemory check: {m['candidates']:,} candidates + population = {m['records']:,} records × "
              f"{m['models']} reference models × {m['classes']} classes, float32 on disk, memory-mapped")
        print(f"  store on disk {m['store_mb']:.0f} MB (per-model .npy + stacked matrix), written in "
              f"{m['store_s']:.1f} s; LiRA online scored in {m['score_s']:.1f} s; features {m['features_mb']:.0f} MB")
        print(f"  peak RSS: {m['rss_store_mb']:.0f} MB after training/storing/stacking; {m['rss_streamed_mb']:.0f} MB "
              f"after LiRA with margins streamed per 8,192 records; {m['rss_one_shot_mb']:.0f} MB "
              f"({m['rss_one_shot_mb'] / 1024:.2f} GB) once margins of all records are computed at once "
              f"(signals.math, as the attacks do); scores finite: {m['finite']}")


if __name__ == "__main__":
    main()
