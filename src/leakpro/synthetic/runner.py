"""Plan and run the whole synthetic-data audit: every attack against ORI, CONTROL and a random baseline.

:func:`audit_synthetic` is the Python API. It validates the inputs (one error listing every problem),
resolves the defaults — secrets: every column; auxiliary columns: every non-secret column; linkability
split: the auxiliary columns shuffled with ``seed`` and cut in two halves — records each choice in the
result, and runs: singling out (univariate, multivariate), linkability, inference (nearest-neighbour and
model guessers, per secret), and membership (DCR, DOMIAS). Attack ``i`` in that order gets
``random_state = seed + i``. Each result's interval is then made simultaneous over the attacks of its family
(:func:`~leakpro.synthetic.results.in_family`), the interval a family's level is read from.

>>> from leakpro.data.adult import load_adult_frame
>>> df = load_adult_frame("train").sample(600, random_state=0).reset_index(drop=True)
>>> res = audit_synthetic(df[:200], df[:200], df[200:400], secrets=["income"], n_attacks=50, seed=1)
>>> res.attacks[0].risk.value > 0.5
True
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from leakpro.results.environment import package_versions
from leakpro.synthetic.columns import EncodedTables, encode_tables
from leakpro.synthetic.inference import Inference
from leakpro.synthetic.linkability import Linkability
from leakpro.synthetic.membership import Membership
from leakpro.synthetic.results import AttackResult, MembershipResult, SyntheticAuditResult, in_family
from leakpro.synthetic.singling_out import SinglingOut
from leakpro.synthetic.validation import validate_inputs

DEFAULT_N_ATTACKS = 500


def split_aux(aux: Sequence[str], seed: int) -> tuple[list[str], list[str]]:
    """Shuffle ``aux`` with ``seed`` and cut it into two disjoint halves (the attacker's two sources)."""
    order = np.random.default_rng(seed).permutation(len(aux))
    shuffled = [aux[i] for i in order]
    half = (len(shuffled) + 1) // 2
    return shuffled[:half], shuffled[half:]


def plan_attacks(
    columns: Sequence[str], secrets: Sequence[str], aux: Sequence[str], n_attacks: int, seed: int
) -> list[SinglingOut | Linkability | Inference | Membership]:
    """The attack objects of one audit, in a fixed order, each with its own ``random_state``."""
    plan: list[SinglingOut | Linkability | Inference | Membership] = [
        SinglingOut(mode="univariate", n_attacks=n_attacks),
        SinglingOut(mode="multivariate", n_attacks=n_attacks),
        Linkability(aux_split=split_aux(aux, seed), n_attacks=n_attacks),
    ]
    for secret in secrets:
        known = [c for c in aux if c != secret]
        plan += [
            Inference(secret=secret, aux=known, guesser=g, n_attacks=n_attacks) for g in ("nearest", "model")
        ]
    plan += [Membership(method="dcr", n_attacks=n_attacks), Membership(method="domias", n_attacks=n_attacks)]
    for i, attack in enumerate(plan):
        attack.random_state = seed + i
    return plan


def _run_one(
    attack: SinglingOut | Linkability | Inference | Membership, tables: EncodedTables
) -> AttackResult | MembershipResult:
    return attack.run(tables)


def run_plan(
    plan: Sequence[SinglingOut | Linkability | Inference | Membership],
    tables: EncodedTables,
    progress: Callable[[str, int, int], None] | None = None,
    workers: int | None = None,
) -> list[AttackResult | MembershipResult]:
    """Run the attacks of ``plan`` on ``workers`` threads; results in plan order.

    Each attack has its own seeded generator and only reads ``tables``, so the results do not depend on
    ``workers`` (tested). Every thread pool (OpenMP, BLAS) is held at one thread meanwhile, so ``workers``
    threads run on at most ``workers`` cores: no oversubscription. The default is one: on the shared
    2-core machine, under load, two workers made the 100k-row audit slower (97.6 s against 82.4 s wall,
    ``benchmarks/synthetic.py --audit --workers``); they may help on idle cores.
    """
    workers = workers if workers is not None else 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    out: list[AttackResult | MembershipResult] = []
    with threadpool_limits(limits=1), ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_run_one, attack, tables) for attack in plan] if workers > 1 else []
        for i, attack in enumerate(plan):
            if progress is not None:
                progress(type(attack).__name__, i, len(plan))
            out.append(futures[i].result() if futures else attack.run(tables))
    if progress is not None:
        progress("", len(plan), len(plan))
    return out


def _notes(tables: EncodedTables, sizes: Mapping[str, int]) -> list[str]:
    notes = []
    if sizes["real"] != sizes["control"]:
        m = min(sizes["real"], sizes["control"])
        notes.append(
            f"ORI ({sizes['real']} rows) and CONTROL ({sizes['control']} rows) differ in size: singling "
            f"out compares them on random samples of {m} rows each; other attacks use equal numbers "
            "of targets."
        )
    if tables.missing_as_category:
        notes.append(f"Missing values treated as their own category in {list(tables.missing_as_category)}.")
    return notes


def audit_synthetic(
    real_df: pd.DataFrame,
    synthetic_df: pd.DataFrame,
    control_df: pd.DataFrame,
    *,
    secrets: list[str] | None = None,
    aux_columns: list[str] | None = None,
    column_types: dict[str, str] | None = None,
    n_attacks: int | None = None,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
    workers: int | None = None,
) -> SyntheticAuditResult:
    """Audit a synthetic table made from ``real_df`` (ORI) with ``control_df`` as CONTROL; see the module.

    ``progress(attack, done, total)`` is called as each attack is reached in plan order and once at the end
    (``done == total``). ``workers`` attacks run at once (default 1); see :func:`run_plan`."""
    start = time.perf_counter()
    types = validate_inputs(
        real_df,
        synthetic_df,
        control_df,
        secrets=secrets,
        aux_columns=aux_columns,
        column_types=column_types,
        n_attacks=n_attacks,
    )
    columns = [str(c) for c in real_df.columns]
    tables = encode_tables(real_df, synthetic_df[columns], control_df[columns], types)
    chosen_secrets = list(secrets) if secrets is not None else list(columns)
    aux = list(aux_columns) if aux_columns is not None else [c for c in columns if c not in (secrets or [])]
    n = n_attacks if n_attacks is not None else DEFAULT_N_ATTACKS
    plan = plan_attacks(columns, chosen_secrets, aux, n, seed)
    ran = run_plan(plan, tables, progress, workers)
    results = in_family(ran)
    sizes = {"real": len(real_df), "synthetic": len(synthetic_df), "control": len(control_df)}
    options = {
        "secrets": chosen_secrets,
        "aux": aux,
        "types": types,
        "n_attacks": n,
        "seed": seed,
        "sizes": sizes,
    }
    config_hash = hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:16]
    linkability = next(a for a in plan if isinstance(a, Linkability))
    return SyntheticAuditResult(
        seed=seed,
        n_attacks=n,
        sizes=sizes,
        column_types=types,
        secrets=chosen_secrets,
        secrets_source="stated" if secrets is not None else "default: every column",
        aux_columns=aux,
        aux_source="stated" if aux_columns is not None else "default: every non-secret column",
        linkability_split=[list(h) for h in linkability.aux_split],
        missing_as_category=list(tables.missing_as_category),
        attacks=[r for r in results if isinstance(r, AttackResult)],
        membership=[r for r in results if isinstance(r, MembershipResult)],
        notes=_notes(tables, sizes),
        versions=package_versions(("leakpro", "numpy", "pandas", "scipy", "scikit-learn")),
        config_hash=config_hash,
        runtime_s=round(time.perf_counter() - start, 3),
    )
