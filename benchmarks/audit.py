"""Where an audit's time goes, and how close reference training comes to what this CPU can do.

1. The machine's float32 matmul peak, measured once with torch (square ``mm``, best of several): one thread
   and all threads.
2. Each batched MLP recipe (the Adult 108-256-256-2 reference model by default; ``--hidden`` adds more): ``--refs``
   models trained together for ``--train-epochs`` on half of ``--candidates`` rows each; achieved FLOP/s as a
   fraction of the one-thread peak (training runs on one thread). FLOPs counted: the matrix products only,
   per record and layer of a inputs and b outputs 2ab forward, 2ab for the weight gradient and 2ab for the
   input gradient except in the first layer (``mlp_train_flops``). BEFORE (the autograd + ``torch.optim``
   trainer as it was, kept below as ``baseline_train_group``) and AFTER (the library's stacked step without
   autograd, fused Adam), in this process, with the largest difference of the two models' logits (float32
   rounding: another order of products and fused Adam).
3. The stage times of a ``--candidates`` × ``--refs`` Adult MLP audit with every attack (default 30,000 × 16;
   ``--quick``: 4,000 × 4 with 5 epochs), BEFORE (baseline trainer, QMIA and boundary search as they were, also
   kept below) and AFTER, plus each attack's scoring time.

The machine is shared: compare the ratios printed, which are measured in the same process, not absolute
times across runs.

    PYTHONPATH=src .venv/bin/python benchmarks/audit.py [--quick] [--skip-audit]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from leakpro.config.recipe import TorchRecipe
from leakpro.training import batched
from leakpro.training.models import build_model
from leakpro.training.torch_train import make_optimizer


def matmul_peak(threads: int, size: int = 1024, seconds: float = 1.5) -> float:
    """Best float32 FLOP/s of ``size``² matrix products on ``threads`` threads (2·size³ FLOPs each).

    One thread: per CPU second of this process, as the training rows are timed (time other jobs held the
    core is left out of both); more threads: per wall second.
    """
    clock = time.process_time if threads == 1 else time.perf_counter
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        a, b = torch.randn(size, size), torch.randn(size, size)
        out = torch.empty(size, size)
        torch.mm(a, b, out=out)  # warm-up
        best, start = float("inf"), time.perf_counter()
        while time.perf_counter() - start < seconds:
            t0 = clock()
            for _ in range(4):
                torch.mm(a, b, out=out)
            best = min(best, (clock() - t0) / 4)
        return 2 * size**3 / best
    finally:
        torch.set_num_threads(previous)


def mlp_train_flops(d: int, hidden: list[int], classes: int) -> int:
    """Matrix-product FLOPs of one training record through a d-hidden…-classes ReLU MLP, forward and backward.

    Per layer of ``a`` inputs and ``b`` outputs: forward 2ab (z = hW + c), weight gradient 2ab (Wᵀ-shaped
    hᵀd), input gradient 2ab (d Wᵀ) for every layer but the first (the data need no gradient). Bias adds, ReLU,
    softmax and the optimiser update are not counted: they are not matrix products, and they are the
    overhead this fraction exposes.
    """
    layers = list(itertools.pairwise([d, *hidden, classes]))
    return sum(6 * a * b for a, b in layers) - 2 * layers[0][0] * layers[0][1]


# ---- BEFORE: the batched trainer's group loop as it was (commit 963e8d1: autograd, torch.optim.Adam), kept
# callable for the ratio and the bitwise check ----
def baseline_forward(weights: list[torch.Tensor], biases: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    h = x
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = torch.baddbmm(b, h, w.transpose(1, 2))
        if layer < len(weights) - 1:
            h = torch.relu(h)
    return h


def baseline_train_group(recipe: TorchRecipe, x: torch.Tensor, y: torch.Tensor, n_classes: int,
                         rows: torch.Tensor, seeds: list[int]) -> list[nn.Module]:
    k, n = rows.shape
    gens, models = [], []
    for seed in seeds:
        gens.append(torch.Generator().manual_seed(seed))
        torch.manual_seed(seed)
        models.append(build_model(recipe.model, recipe.params, x.shape[1], n_classes))
    layers = [batched._linears(m) for m in models]
    depth = len(layers[0])
    weights = [nn.Parameter(torch.stack([ls[j].weight.detach() for ls in layers]).clone()) for j in range(depth)]
    biases = [nn.Parameter(torch.stack([ls[j].bias.detach() for ls in layers]).unsqueeze(1).clone())
              for j in range(depth)]
    holder = nn.Module()
    holder.params = nn.ParameterList([*weights, *biases])
    opt = make_optimizer(recipe, holder)
    for _ in range(recipe.epochs):
        perms = torch.stack([torch.randperm(n, generator=g) for g in gens])
        order = torch.gather(rows, 1, perms)
        xs, ys = x[order], y[order]
        for start in range(0, n, recipe.batch_size):
            xb, yb = xs[:, start : start + recipe.batch_size], ys[:, start : start + recipe.batch_size]
            opt.zero_grad(set_to_none=True)
            per_item = F.cross_entropy(baseline_forward(weights, biases, xb).flatten(0, 1), yb.flatten(),
                                       reduction="none")
            per_item.view(k, -1).mean(dim=1).sum().backward()
            opt.step()
    with torch.no_grad():
        for i, ls in enumerate(layers):
            for j, linear in enumerate(ls):
                linear.weight.copy_(weights[j][i])
                linear.bias.copy_(biases[j][i, 0])
    return [m.eval() for m in models]


@contextlib.contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def baseline_boundary_scores(self: Any, view: Any) -> np.ndarray:
    """BEFORE: label_only_boundary as it was (each direction searched to the end, one query per step)."""
    from leakpro.attacks.membership.features import canonical_ids, feature_scale, perturb

    p = self.params
    c = slice(0, view.n_candidates)
    feats = view.features(c)
    scale = feature_scale(view.records.features)
    ids, distinct = canonical_ids(feats, view.labels[c])
    rng = np.random.default_rng(self.random_state)
    base = view.oracle.labels(feats)
    radii = np.empty((p.directions, view.n_candidates))
    for d in range(p.directions):
        u = rng.standard_normal((distinct, scale.size))[ids]
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        lo, hi = np.zeros(view.n_candidates), np.full(view.n_candidates, p.max_radius)
        for _ in range(p.steps):
            mid = 0.5 * (lo + hi)
            flipped = view.oracle.labels(perturb(feats, u * scale * mid[:, None])) != base
            hi = np.where(flipped, mid, hi)
            lo = np.where(flipped, lo, mid)
        radii[d] = 0.5 * (lo + hi)
    dist = radii.min(axis=0)
    return np.where(base == view.labels[c], dist, -dist)


def baseline_qmia_scores(self: Any, view: Any) -> np.ndarray:
    """BEFORE: QMIA as it was (one-hot columns, 200 trees at rate 0.1, no early stopping below 10k rows)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    from leakpro.attacks.membership.features import numeric_matrix, one_thread
    from leakpro.attacks.membership.qmia import LOG_CHI2_MEAN
    from leakpro.data.dataset import record_keys
    from leakpro.signals.math import logit_margin

    def reg(seed: int) -> Any:
        return HistGradientBoostingRegressor(max_iter=200, random_state=seed)

    with one_thread():
        folds = self.params.folds
        phi = logit_margin(view.target_logits(), view.labels)
        x = np.column_stack([numeric_matrix(view.records.features), np.eye(view.records.n_classes)[view.labels]])
        pop = np.arange(view.population_slice.start, len(view.records))
        pop = pop[np.argsort(record_keys(view.features(pop), view.labels[pop]), kind="stable")]
        fold = np.random.default_rng(self.random_state).permutation(pop.size) % folds
        mu_cv = np.empty(pop.size)
        for f in range(folds):
            mu_f = reg(self.random_state + f).fit(x[pop[fold != f]], phi[pop[fold != f]])
            mu_cv[fold == f] = mu_f.predict(x[pop[fold == f]])
        mu = reg(self.random_state).fit(x[pop], phi[pop])
        sig = reg(self.random_state + folds).fit(x[pop], np.log((phi[pop] - mu_cv) ** 2 + 1e-12))
        c = slice(0, view.n_candidates)
        sigma = np.exp(0.5 * (sig.predict(x[c]) - LOG_CHI2_MEAN))
        return (phi[c] - mu.predict(x[c])) / np.maximum(sigma, 1e-6)


@contextlib.contextmanager
def before() -> Iterator[None]:
    """Every replaced path as it was."""
    from leakpro.attacks.membership.label_only import LabelOnlyBoundary
    from leakpro.attacks.membership.qmia import QmiaAttack

    with (patched(batched, "_train_group", baseline_train_group),
          patched(LabelOnlyBoundary, "scores", baseline_boundary_scores),
          patched(QmiaAttack, "scores", baseline_qmia_scores)):
        yield


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _cpu_timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, this process's CPU seconds, result): training runs on one thread, so its CPU time leaves
    out the time other jobs on a shared machine held the core (their cache traffic still counts)."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def training_rows(args: argparse.Namespace, peak1: float) -> None:
    from leakpro.data.registry import builtin_datasets

    ds = builtin_datasets()["adult"].load()
    x = np.ascontiguousarray(ds.features[: args.candidates], dtype=np.float32)
    y = ds.labels[: args.candidates]
    rng = np.random.default_rng(0)
    subsets = [np.sort(rng.permutation(len(x))[: len(x) // 2]) for _ in range(args.refs)]
    seeds = list(range(args.refs))
    print(f"\nreference training: {args.refs} MLPs trained together, {len(x) // 2:,} rows each, {args.train_epochs} "
          "epoch(s), batch 128, Adam; one thread. GFLOP/s and the fraction of the one-thread peak are per CPU "
          "second of this process (wall seconds beside them)")
    warm = TorchRecipe(model="mlp", params={"hidden": [8]}, epochs=1, batch_size=32)
    for ctx in (before(), contextlib.nullcontext()):  # torch's one-time start costs (Adam's first step) outside
        with ctx:
            batched.train_many(warm, x[:64], y[:64], 2, [np.arange(32), np.arange(32, 64)], [0, 1])
    rows = []
    for hidden in args.hidden:
        recipe = TorchRecipe(model="mlp", params={"hidden": hidden}, epochs=args.train_epochs, batch_size=128)
        flops = mlp_train_flops(x.shape[1], hidden, 2) * (len(x) // 2) * args.train_epochs * args.refs
        with before():
            old = _cpu_timed(lambda r=recipe: batched.train_many(r, x, y, 2, subsets, seeds))  # type: ignore[misc]
        new = _cpu_timed(lambda r=recipe: batched.train_many(r, x, y, 2, subsets, seeds))  # type: ignore[misc]
        with torch.no_grad():
            xt = torch.as_tensor(x)
            diff = max(float((a(xt) - b(xt)).abs().max()) for a, b in zip(old[2], new[2], strict=True))
        rows.append(("-".join(map(str, [x.shape[1], *hidden, 2])), flops, old[:2], new[:2], diff))
    peak = max(peak1, matmul_peak(1))  # measured again after training; the higher (stricter) peak is used
    print(f"one-thread peak used: {peak / 1e9:.1f} GFLOP/s (the higher of before and after the training runs)")
    print(f"{'recipe':<22}{'path':<8}{'wall s':>8}{'CPU s':>8}{'GFLOP/s':>9}{'of peak':>9}{'× speed':>9}  models")
    for name, flops, (wb, cb), (wa, ca), diff in rows:
        for path, w, c in (("before", wb, cb), ("after", wa, ca)):
            print(f"{name:<22}{path:<8}{w:>8.2f}{c:>8.2f}{flops / c / 1e9:>9.1f}{flops / c / peak:>8.0%}"
                  f"{cb / c:>9.2f}  {f'max |Δlogit| {diff:.1e} on all rows' if path == 'after' else ''}")


def audit_stages(args: argparse.Namespace) -> None:
    from leakpro.audit.attack_specs import resolve_attacks
    from leakpro.audit.plan import AuditPlan, config_hash, parse_config
    from leakpro.audit.runner import run_plan
    from leakpro.data.registry import builtin_datasets
    from leakpro.game.challenger import MembershipGame
    from leakpro.game.view import ThreatModel
    from leakpro.targets.trainers import TorchTrainer

    ds = builtin_datasets()["adult"].load()
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(ds))
    n = args.candidates
    members = rng.permutation(np.r_[np.ones(n // 2, bool), np.zeros(n - n // 2, bool)])
    game = MembershipGame(ds, np.sort(perm[:n]), members, np.sort(perm[n:]))
    recipe = TorchRecipe(model="mlp", params={"hidden": [256, 256]}, epochs=args.epochs, batch_size=128)
    trainer = TorchTrainer(recipe, ds.n_classes)
    config, _ = parse_config({"seed": 0, "data": {"builtin": "adult"},
                              "target": {"kind": "torch", "train": True, "recipe": recipe.model_dump()}})
    runs = {}
    for label in ("before", "after"):
        ctx = before() if label == "before" else contextlib.nullcontext()
        with ctx:
            t0 = time.perf_counter()
            target = trainer.fit(ds.subset(game.member_indices()).features, ds.labels[game.member_indices()], 0)
            t_target = time.perf_counter() - t0
            attacks = resolve_attacks("all", ThreatModel.SCORES, 0, [], reference_models=args.refs)
            plan = AuditPlan(config, config_hash(config), game, target, trainer, attacks, None, args.refs)
            t0 = time.perf_counter()
            result = run_plan(plan, None, None)
            total = time.perf_counter() - t0 + t_target
        runs[label] = (t_target, result, total)
    print(f"\naudit: {n:,} Adult candidates (half members) + {len(ds) - n:,} population, {args.refs} reference "
          f"MLPs (108-256-256-2, {args.epochs} epochs), every attack; one process")
    b, a = runs["before"], runs["after"]
    print(f"{'stage':<24}{'before s':>10}{'after s':>10}{'× speed':>9}")
    rows = [("train target", b[0], a[0])]
    rows += [(k, b[1].stage_runtime_s[k], a[1].stage_runtime_s.get(k, 0.0)) for k in b[1].stage_runtime_s
             if k != "train_targets"]
    rows.append(("total", b[2], a[2]))
    for name, tb, ta in rows:
        print(f"{name:<24}{tb:>10.2f}{ta:>10.2f}{tb / max(ta, 1e-9):>9.2f}")
    print(f"\n{'attack':<26}{'score s before':>15}{'after':>8}{'AUC before':>12}{'after':>8}{'queries before':>16}"
          f"{'after':>10}")
    after = {x.id: x for x in a[1].targets[0].attacks}
    for x in b[1].targets[0].attacks:
        y = after[x.id]
        print(f"{x.id:<26}{x.runtime_s:>15.2f}{y.runtime_s:>8.2f}{x.auc.value:>12.4f}{y.auc.value:>8.4f}"
              f"{x.queries:>16,}{y.queries:>10,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4,000 candidates × 4 references, 5 epochs")
    parser.add_argument("--candidates", type=int, default=30_000)
    parser.add_argument("--refs", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=40, help="epochs of the audit's target and references")
    parser.add_argument("--train-epochs", type=int, default=2, help="epochs of the training comparison")
    parser.add_argument("--hidden", type=int, nargs="+", action="append", help="MLP hidden widths (repeatable)")
    parser.add_argument("--skip-audit", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.candidates, args.refs, args.epochs = 4000, 4, 5
    args.hidden = args.hidden or [[256, 256], [64]]
    cores = os.cpu_count() or 1
    peak1 = matmul_peak(1)
    peak_all = matmul_peak(cores)
    print(f"float32 matmul peak (torch.mm 1024²): {peak1 / 1e9:.1f} GFLOP/s on 1 thread, {peak_all / 1e9:.1f} "
          f"GFLOP/s on {cores} threads ({peak_all / peak1:.2f}×)")
    training_rows(args, peak1)
    if not args.skip_audit:
        audit_stages(args)


if __name__ == "__main__":
    main()
