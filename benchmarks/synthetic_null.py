"""Does the synthetic-data report cry wolf? Page-one levels on tables with and without a planted leak.

    .venv/bin/python benchmarks/synthetic_null.py [--seeds 20] [--rows 1000] [--attacks 500]

For each seed, three disjoint random samples of the Adult census table shipped with LeakPro are drawn: ORI (the
"training" records), CONTROL and OTHER. Two synthetic tables are audited with every default (every column a secret):

* ``independent`` — OTHER itself: an independent sample of the same population, nothing copied. No question
  should read High or Very high (target: in at least 19 of 20 seeds).
* ``noise-copy`` — ORI's own rows with 1 % noise (:class:`NoisyCopy` with ``noise=0.01``: numeric values + 1 % of
  the column's standard deviation, 1 % of categories redrawn). Linkability, inference and membership should read
  High or Very high.

Levels are read exactly as the report reads them: the synthetic section's page-one rows, and page one's headline
box from the rendered HTML. Prints, per question, how many seeds read each level. A measurement, not a test: the
tests in ``tests/synthetic`` assert the same on single seeds.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from typing import Any

import pandas as pd

from leakpro.data.adult import load_adult_frame
from leakpro.report.inputs import ReportInputs
from leakpro.report.render import environment, render_html
from leakpro.report.sections.synthetic import SyntheticSection
from leakpro.synthetic.generators import NoisyCopy
from leakpro.synthetic.runner import audit_synthetic

LEVELS = ("Low", "Moderate", "High", "Very high")
QUESTIONS = ("singling_out", "linkability", "inference", "synthetic_membership")
HIGH = {"High", "Very high"}


def samples(seed: int, rows: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """ORI, CONTROL and OTHER: disjoint random samples of ``rows`` Adult rows each."""
    table = load_adult_frame("all").sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return tuple(table.iloc[i * rows : (i + 1) * rows].reset_index(drop=True) for i in range(3))  # type: ignore[return-value]


def page_one(data: dict[str, Any]) -> tuple[dict[str, str], str]:
    """The level of every synthetic question on page one, and the headline box's level ("—" when absent)."""
    inputs = ReportInputs(results_path=None, result=None, scores={}, frame=None, extras={"synthetic": data})
    content = SyntheticSection().build(inputs, environment())
    levels = {row.question: row.assessment.level.label if row.assessment else "—" for row in content.summary}
    found = re.search(r'data-testid="overall-level">([^<]+)<', render_html(inputs))
    return levels, found.group(1) if found else "—"


def run(kind: str, seeds: int, rows: int, attacks: int) -> list[tuple[dict[str, str], str]]:
    """Audit ``kind`` ("independent" or "noise-copy") for seeds 0 … seeds − 1; page-one levels per seed."""
    out = []
    for seed in range(seeds):
        ori, control, other = samples(seed, rows)
        noisy = NoisyCopy(noise=0.01, flip=0.01, random_state=seed)
        syn = other if kind == "independent" else noisy.fit(ori).sample(rows)
        result = audit_synthetic(ori, syn, control, n_attacks=attacks, seed=seed)
        levels, headline = page_one(result.model_dump(mode="json"))
        out.append((levels, headline))
        print(f"  {kind} seed {seed:2d}: " + ", ".join(f"{q} {levels.get(q, '—')}" for q in QUESTIONS)
              + f"; headline {headline}", flush=True)
    return out


def table(kind: str, runs: list[tuple[dict[str, str], str]]) -> str:
    """Seeds per level, one line per question and one for the headline."""
    head = f"{kind:<22}" + "".join(f"{lv:>11}" for lv in (*LEVELS, "—"))
    lines = [head, "-" * len(head)]
    for name, values in [*((q, [r[0].get(q, "—") for r in runs]) for q in QUESTIONS),
                         ("page-one headline", [r[1] for r in runs])]:
        counts = Counter(values)
        lines.append(f"{name:<22}" + "".join(f"{counts.get(lv, 0):>11}" for lv in (*LEVELS, "—")))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--rows", type=int, default=1000, help="rows of ORI, CONTROL and the synthetic table")
    parser.add_argument("--attacks", type=int, default=500, help="targets (or predicates) per attack")
    args = parser.parse_args()
    start = time.perf_counter()
    independent = run("independent", args.seeds, args.rows, args.attacks)
    noisy = run("noise-copy", args.seeds, args.rows, args.attacks)
    print(f"\n{args.seeds} seeds, {args.rows} rows per table, {args.attacks} attacks; "
          f"{time.perf_counter() - start:.0f} s\n")
    print(table("independent sample", independent))
    print()
    print(table("1%-noise copy", noisy))
    clean = sum(not (set(levels.values()) & HIGH) for levels, _ in independent)
    caught = {q: sum(levels.get(q) in HIGH for levels, _ in noisy) for q in ("linkability", "inference",
                                                                             "synthetic_membership")}
    print(f"\nindependent sample: no question High/Very high in {clean} of {args.seeds} seeds "
          f"(target ≥ {args.seeds - args.seeds // 20})")
    print("1%-noise copy: High or Very high in " + ", ".join(f"{q} {n}/{args.seeds}" for q, n in caught.items())
          + f" (target {args.seeds}/{args.seeds})")


if __name__ == "__main__":
    main()
