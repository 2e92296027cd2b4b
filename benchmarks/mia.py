"""Membership attacks against one Adult MLP with 1, 2, 4 and 8 reference models.

The target follows the calibration setup of the issue: every row of the Adult train split (32,561 people)
is a candidate, a random half trains a 108-256-256-2 MLP (Adam, lr 1e-3, 40 epochs, batch 128, no
regularisation); the attacker's population data is the Adult test split (16,281 people, never trained on).
Reference models are trained once (the largest k of --models, cached) and reused for every k. Prints AUC and TPR at 1% /
0.1% FPR per attack and k, the wall time per reference model, and every attack's scoring time and target queries
(attacks score on one thread), with the target's measured label-query rate: the floor under a query-heavy attack's
time. ``--candidates`` takes the first N rows of the train split (the issue's scoring budget: 2 s at 16,000).

    .venv/bin/python benchmarks/mia.py [--out DIR] [--epochs 40] [--candidates 16000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from leakpro.audit.attack_specs import resolve_attacks
from leakpro.audit.plan import AuditPlan, config_hash, parse_config
from leakpro.audit.reference_bank import ReferenceBank
from leakpro.audit.runner import run_plan
from leakpro.config.recipe import TorchRecipe
from leakpro.data.adult import load_adult_frame
from leakpro.data.registry import builtin_datasets
from leakpro.game.challenger import MembershipGame
from leakpro.game.view import ThreatModel
from leakpro.targets.trainers import TorchTrainer

NEEDS_TWO = {"reference", "lira", "rmia-offline"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("leakpro-out/bench-mia"))
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", type=int, nargs="+", default=[1, 2, 4, 8], help="reference-model counts")
    parser.add_argument("--candidates", type=int, default=None, help="first N train rows (default: all 32,561)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # scoring on one core, as the issue budgets it

    ds = builtin_datasets()["adult"].load()  # train split first, then the test split
    n_train = len(load_adult_frame("train"))
    if args.candidates:
        keep = np.r_[np.arange(min(args.candidates, n_train)), np.arange(n_train, len(ds))]
        ds, n_train = ds.subset(keep), min(args.candidates, n_train)
    rng = np.random.default_rng(args.seed)
    members = np.zeros(n_train, dtype=bool)
    members[rng.permutation(n_train)[: n_train // 2]] = True
    game = MembershipGame(ds, np.arange(n_train), members, np.arange(n_train, len(ds)))
    recipe = TorchRecipe(model="mlp", params={"hidden": [256, 256]}, epochs=args.epochs, batch_size=128)
    trainer = TorchTrainer(recipe, ds.n_classes)

    start = time.perf_counter()
    train = ds.subset(game.member_indices())
    target = trainer.fit(train.features, train.labels, args.seed)
    t_target = time.perf_counter() - start
    test = ds.subset(game.candidates[~members])
    print(f"target: train accuracy {np.mean(target.predict(train.features) == train.labels):.3f}, "
          f"test accuracy {np.mean(target.predict(test.features) == test.labels):.3f}, trained in {t_target:.1f} s")

    cache = args.out / "cache"
    bank = ReferenceBank(game.attacker_records(), game.n_candidates, trainer, args.seed, cache / "cache")
    start = time.perf_counter()
    k_max = max(args.models)
    bank.signals(k_max)
    t_refs = time.perf_counter() - start
    fresh = k_max - bank.cache_hits
    print(f"reference models: {k_max} ({fresh} trained, {bank.cache_hits} from cache) in {t_refs:.1f} s"
          + (f" = {t_refs / fresh:.1f} s per model" if fresh else ""))

    config, _ = parse_config({"seed": args.seed, "data": {"builtin": "adult"},
                              "target": {"kind": "torch", "train": True, "recipe": recipe.model_dump()}})
    rows = []
    for k in sorted(args.models):
        attacks = [a for a in resolve_attacks("all", ThreatModel.SCORES, args.seed, [], reference_models=k)
                   if k >= 2 or (a.id not in NEEDS_TWO and a.attack.name not in NEEDS_TWO)]
        if k > 1:  # attacks without reference models do not change with k
            attacks = [a for a in attacks if a.attack.reference_models_needed() > 0]
        plan = AuditPlan(config, config_hash(config), game, target,
                         trainer, attacks, None, k)
        result = run_plan(plan, args.out / f"k{k}", cache)
        for a in result.targets[0].attacks:
            rows.append((a.id, k, a.auc.value, a.tpr_at_fpr[1].tpr.value, a.tpr_at_fpr[2].tpr.value, a.runtime_s,
                         a.queries))

    probe = np.repeat(np.asarray(ds.features[:n_train]), max(1, 200_000 // n_train), axis=0)
    t0 = time.perf_counter()
    target.predict(probe)
    rate = len(probe) / (time.perf_counter() - t0)
    print(f"\n{game.n_candidates:,} candidates; the target answers {rate:,.0f} label queries/s on one thread "
          "(floor = queries / rate: the model's own cost, which no attack code can remove)")
    print(f"{'attack':26s} {'k':>2s} {'AUC':>6s} {'TPR@1%':>7s} {'TPR@0.1%':>8s} {'score s':>8s} {'queries':>10s} "
          f"{'floor s':>8s}")
    for attack_id, k, auc, t1, t01, rt, q in sorted(rows, key=lambda r: (r[0], r[1])):
        print(f"{attack_id:26s} {k:2d} {auc:6.3f} {100 * t1:6.2f}% {100 * t01:7.2f}% {rt:8.2f} {q:10,d} "
              f"{q / rate:8.2f}")


if __name__ == "__main__":
    main()
