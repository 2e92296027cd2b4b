"""Language-model membership on the embedded default: AUC and TPR at 1 % FPR per attack, target and null.

Builds the embedded setup of ``leakpro demo --llm`` (a 2-layer, 64-dim GPT-2 trained here on public fortunes, a
target fine-tuned on a random half of the candidates with random-secret canaries, a null fine-tuned on other texts,
LiRA reference LMs on random halves) for each seed, runs every LM attack, the blind baseline (random split, and a
deliberately shifted split: members from ``computers``, non-members from ``literature``) and canary exposure, and
prints one table per seed plus the time per 1,000 texts (per-token signals of one model, on this machine).

    PYTHONPATH=src .venv/bin/python benchmarks/llm.py [--quick] [--seeds 0 1]
"""

from __future__ import annotations

import argparse
import time

from leakpro.audit.llm import run_llm_audit
from leakpro.audit.llm_blind import blind_baseline
from leakpro.commands.llm_demo import build_embedded, shifted_split


def _auc(i: object) -> str:
    return f"{i.value:.3f} [{i.low:.3f}, {i.high:.3f}]"  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the test-sized setup (120 candidates)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    for seed in args.seeds:
        start = time.perf_counter()
        built = build_embedded(seed, args.quick)
        trained = time.perf_counter() - start
        result, _ = run_llm_audit(built.plan)
        target, null = result.models
        print(f"\nseed {seed}: {result.candidates} candidates ({result.members} members); training {trained:.0f} s, "
              f"audit {result.runtime_s:.0f} s")
        print(f"{'attack':<50} {'target AUC [95%]':>24} {'TPR@1%':>7}   {'null AUC [95%]':>24} {'TPR@1%':>7}")
        for a, b in zip(target.attacks, null.attacks, strict=True):
            print(f"{a.title:<50} {_auc(a.auc):>24} {a.tpr_at_fpr[1].tpr.value:>7.3f}   {_auc(b.auc):>24} "
                  f"{b.tpr_at_fpr[1].tpr.value:>7.3f}" + (f"  a={a.params['a']}" if "a" in a.params else ""))
        print(f"time per 1,000 texts (per-token signals): target {target.seconds_per_1000_texts:.1f} s, "
              f"null {null.seconds_per_1000_texts:.1f} s")
        blind = result.blind_baseline
        if blind is not None:
            print(f"blind baseline, random split:  AUC {_auc(blind.auc)} (raw {blind.raw_auc:.3f}, permutation null "
                  f"{blind.permutation_null_auc:.3f}) flagged={blind.shifted}")
        texts, members = shifted_split(seed)
        shifted = blind_baseline(texts, members, random_state=seed)
        print(f"blind baseline, shifted split: AUC {_auc(shifted.auc)} flagged={shifted.shifted}")
        for c in result.canaries:
            rows = "  ".join(f"{r.repetitions}x {r.exposure.value:5.1f} [{r.exposure.low:.1f}, {r.exposure.high:.1f}]"
                             for r in c.rows)
            print(f"canary exposure (bits of {c.log2_space:.1f}), {c.model:<6}: {rows}  "
                  f"rises={c.rises_with_repetitions}")


if __name__ == "__main__":
    main()
