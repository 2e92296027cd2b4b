"""Does the white-box canary audit come near a correct DP-SGD's ε, and does it catch a broken one?

Target: an MLP (108-32-2) on 5,000 Adult records, trained with Opacus's DPOptimizer (per-sample clipping C = 1,
Poisson sampling, noise calibrated by the RDP accountant to ε at δ = 1e-5), SGD with momentum, 5 epochs. Two
batch settings: mini-batch (q = 0.1, 50 steps) and full-batch (q = 1, 5 steps). Each run carries m Dirac
gradient canaries (norm 10·C, so a recipe that does not clip per sample lets them through larger), privatised
beside the model as Opacus would (see leakpro.training.dp_canaries). Every one-run bound tests one choice of
guesses, made on the first 25 % of the canaries (calibration); the bounds of a run hold jointly at 95 %.

Part 0 (before): the existing black-box one-run audit (500 mislabelled input-space canaries, 100 guesses) of the
same recipe trained by LeakPro's Opacus recipe, one seed per ε.
Part 1: for ε ∈ {1, 4, 8}, the white-box one-run lower bounds over ``--seeds`` seeds beside the accountant's ε,
observing every update and observing the final model only: Steinke et al. 2023, and the f-DP one-run analysis
(Mahloujifar et al. 2024) of the (ε, δ) trade-off curve and of the Gaussian one (ε(μ̂, δ)); a bound above the
accountant's ε would be a failure of the audit (the recipe is correct).
Part 2: the planted bugs (noise 10× too small, clipping skipped, batch instead of per-sample clipping, an accountant
fed a sampling rate 10× too small), each at claimed ε = 1, 4 and 8: the audit must say "claim violated".
Part 3: ``--runs`` independent runs at ε = 4 (``--multi-canaries`` each): the pooled one-run bound and the
multi-run Clopper–Pearson bound.
``--scaling``: the f-DP (ε, δ) bound at ε = 4, full batch, every update, against the number of canaries, on the
simulated ideal mechanism (T Gaussian steps) and in the real training.

    PYTHONPATH=src .venv/bin/python benchmarks/dp_audit.py [--quick] [--seeds 5] [--canaries 200000] [--runs 10]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from leakpro.audit.dp_audit import bounds_from_runs
from leakpro.audit.one_run import one_run_audit
from leakpro.config.recipe import DPSpec, TorchRecipe
from leakpro.config.schema import OneRunSpec
from leakpro.data.dataset import Dataset
from leakpro.data.registry import builtin_datasets
from leakpro.metrics.dp_bounds import calibrated_bound
from leakpro.results.dp_audit import DPBound
from leakpro.targets.trainers import TorchTrainer
from leakpro.training.dp_canaries import CORRECT, PLANTED_BUGS, train_with_canaries
from leakpro.training.torch_train import torch_logits

EPSILONS = (1.0, 4.0, 8.0)
N_TRAIN, N_TEST = 5000, 5000
DELTA = 1e-5


def recipe(epsilon: float, batch_size: int) -> TorchRecipe:
    return TorchRecipe(model="mlp", params={"hidden": [32]}, optimizer="sgd", lr=0.5, momentum=0.9, epochs=5,
                       batch_size=batch_size, dp=DPSpec(target_epsilon=epsilon, max_grad_norm=1.0, delta=DELTA))


def adult() -> tuple[Dataset, np.ndarray, np.ndarray]:
    ds = builtin_datasets()["adult"].load()
    idx = np.random.default_rng(2026).permutation(len(ds))
    return ds, idx[:N_TRAIN], idx[N_TRAIN:N_TRAIN + N_TEST]


def pick(bounds: list[DPBound], observed: str, analysis: str = "one_run") -> DPBound:
    return next(b for b in bounds if b.observed == observed and b.analysis == analysis)


def before(ds: Dataset, train: np.ndarray, test: np.ndarray) -> None:
    print("\nPart 0 (before): black-box one-run audit, 500 mislabelled input-space canaries, 100 guesses, 1 seed")
    print(f"{'target ε':>9} {'accountant ε':>13} {'correct':>8} {'lower bound':>12}")
    members, population = ds.subset(train), ds.subset(test)
    for eps in EPSILONS:
        r = one_run_audit("target", TorchTrainer(recipe(eps, 500), ds.n_classes), members, population,
                          OneRunSpec(canaries=500, guesses=100, confidence=0.95), 7, DELTA)
        print(f"{eps:>9g} {r.accountant_epsilon or 0:>13.3f} {r.correct:>5}/{r.guesses:<3} "
              f"{r.epsilon_lower_bound:>12.3f}")


METHODS = {"one_run": "Steinke", "one_run_fdp": "f-DP (ε,δ)", "one_run_gdp": "GDP"}


def correct_runs(ds: Dataset, train: np.ndarray, test: np.ndarray, seeds: int, m: int, settings: dict[str, int]) -> int:
    print(f"\nPart 1: correct DP-SGD, white-box one-run bounds ({m:,} canaries, {seeds} seeds; the 6 bounds of a run "
          "hold jointly at 95 %)")
    print("Steinke: Steinke et al. 2023; f-DP (ε,δ): Mahloujifar et al. 2024 analysis of the (ε, δ) curve (both ε "
          "lower bounds for any mechanism);\nGDP: the same analysis of μ-GDP, reported as ε(μ̂, δ): an ε lower bound "
          "when the curve is Gaussian (full batch), a summary otherwise.\n"
          "ratio = accountant ε / mean bound (best seed in brackets)")
    print(f"{'setting':<11} {'target ε':>8} {'acct ε':>7} {'σ':>6} {'q':>4} {'T':>3} {'acc':>5}  {'observed':<12} "
          + " ".join(f"{name + ': mean [min, max]':>27} {'ratio':>10}" for name in METHODS.values()))
    x, y = np.asarray(ds.features, dtype=np.float32), ds.labels
    above = 0
    for name, batch in settings.items():
        for eps in EPSILONS:
            values: dict[tuple[str, str], list[float]] = {}
            acc, claim, run = [], 0.0, None
            for seed in range(seeds):
                run = train_with_canaries(recipe(eps, batch), x[train], y[train], ds.n_classes, canaries=m,
                                          canary_norm=10.0, seed=seed)
                for b in bounds_from_runs([run], 0.95):
                    values.setdefault((b.observed, b.analysis), []).append(b.epsilon_lower_bound)
                acc.append(float((torch_logits(run.model, x[test]).argmax(1) == y[test]).mean()))
                claim = run.claimed_epsilon
            assert run is not None
            above += sum(v > claim for vs in values.values() for v in vs)
            for observed in ("every_update", "final_model"):
                cells = " ".join(f"{_summary(values[observed, a]):>27} {_ratio(claim, values[observed, a]):>10}"
                                 for a in METHODS)
                print(f"{name:<11} {eps:>8g} {claim:>7.3f} {run.noise_multiplier:>6.3f} {run.sample_rate:>4.2g} "
                      f"{run.steps:>3} {np.mean(acc):>5.3f}  {observed:<12} {cells}")
    print(f"bounds above the accountant's ε: {above} (must be 0)")
    return above


def _summary(values: list[float]) -> str:
    return f"{np.mean(values):.3f} [{min(values):.3f}, {max(values):.3f}]"


def _ratio(claim: float, values: list[float]) -> str:
    if max(values) <= 0:
        return "∞"
    return f"{claim / max(np.mean(values), 1e-9):.2f} [{claim / max(values):.2f}]"


def bugs(ds: Dataset, train: np.ndarray, m: int, batch: int) -> int:
    print(f"\nPart 2: planted bugs (mini-batch setting, {m:,} canaries, seed 0)")
    print("bounds: every update / final model; Steinke, f-DP (ε,δ) and GDP (GDP never decides the verdict)")
    print(f"{'bug':<21} {'target ε':>8} {'claimed ε':>9} {'every update':>22} {'final model':>22}  verdict")
    x, y = np.asarray(ds.features, dtype=np.float32), ds.labels
    missed = 0
    for bug in PLANTED_BUGS.values():
        for eps in EPSILONS:
            run = train_with_canaries(recipe(eps, batch), x[train], y[train], ds.n_classes, canaries=m,
                                      canary_norm=10.0, seed=0, mechanism=bug)
            b = bounds_from_runs([run], 0.95)
            flagged = any(v.claim_violated for v in b)
            missed += not flagged
            every, final = (" / ".join(f"{pick(b, o, a).epsilon_lower_bound:.2f}" for a in METHODS)
                            for o in ("every_update", "final_model"))
            print(f"{bug.name:<21} {eps:>8g} {run.claimed_epsilon:>9.3f} {every:>22} {final:>22}"
                  f"  {'claim violated' if flagged else 'NOT FLAGGED'}")
    print(f"bugs missed: {missed} (must be 0)")
    return missed


def multi(ds: Dataset, train: np.ndarray, m: int, runs: int, batch: int) -> None:
    print(f"\nPart 3: {runs} independent runs at ε = 4 (mini-batch, {m:,} canaries each; 14 bounds, 95 % jointly)")
    x, y = np.asarray(ds.features, dtype=np.float32), ds.labels
    canary_runs = [train_with_canaries(recipe(4.0, batch), x[train], y[train], ds.n_classes, canaries=m,
                                       canary_norm=10.0, seed=100 + j, mechanism=CORRECT) for j in range(runs)]
    print(f"accountant ε {canary_runs[0].claimed_epsilon:.3f}")
    for b in bounds_from_runs(canary_runs, 0.95):
        detail = (f"{b.correct}/{b.guesses} correct" if b.analysis != "multi_run"
                  else f"TP {b.correct}, FP {b.false_positives} over {b.guesses} runs")
        print(f"  {b.observed:<13} {b.analysis:<15} ε ≥ {b.epsilon_lower_bound:.3f}  ({detail})")


def scaling(ds: Dataset, train: np.ndarray, sizes: tuple[int, ...] = (5_000, 50_000, 200_000, 1_000_000)) -> None:
    print("\nScaling: f-DP (ε,δ) bound at ε = 4, full batch, every update, 6 bounds at 95 % jointly, vs canaries m")
    x, y = np.asarray(ds.features, dtype=np.float32), ds.labels
    rng = np.random.default_rng(0)
    for m in sizes:
        run = train_with_canaries(recipe(4.0, N_TRAIN), x[train], y[train], ds.n_classes, canaries=m,
                                  canary_norm=10.0, seed=0)
        real = pick(bounds_from_runs([run], 0.95), "every_update", "one_run_fdp").epsilon_lower_bound
        simulated = []
        for _ in range(3):  # T Gaussian steps with the claimed σ: μ = √T / σ per canary
            included = rng.random(m) < 0.5
            scores = math.sqrt(run.steps) / run.noise_multiplier * included + rng.normal(size=m)
            simulated.append(calibrated_bound(scores, included, delta=DELTA, method="epsilon_delta",
                                              confidence=1 - 0.05 / 6).epsilon)
        print(f"  m = {m:>9,}  accountant ε {run.claimed_epsilon:.3f}  simulated (3 draws) {_summary(simulated)}  "
              f"real training (seed 0) {real:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 seeds, 50,000 canaries, no parts 0/3")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--canaries", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--multi-canaries", type=int, default=5_000)
    parser.add_argument("--scaling", action="store_true", help="only the bound against the number of canaries")
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    ds, train, test = adult()
    if args.scaling:
        scaling(ds, train)
        print(f"\n{time.perf_counter() - start:.0f} s")
        return
    seeds, m = (2, 50_000) if args.quick else (args.seeds, args.canaries)
    if not args.quick:
        before(ds, train, test)
    above = correct_runs(ds, train, test, seeds, m, {"mini-batch": 500, "full-batch": N_TRAIN})
    missed = bugs(ds, train, m, 500)
    if not args.quick and args.runs > 1:
        multi(ds, train, args.multi_canaries, args.runs, 500)
    print(f"\n{time.perf_counter() - start:.0f} s; {'PASS' if above == 0 and missed == 0 else 'FAIL'}")


if __name__ == "__main__":
    main()
