"""Row order never changes a figure: the same target, the same records and the same reference models, with
the rows in another order, give every record the same score and every attack the same metrics.

A random forest is the hard case: thousands of records sit at p = 1 with equal losses, so any tie broken
by row position shows up at once (population AUC 0.569 members-first vs 0.680 members-last before the fix).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from helpers import NUMERIC, adult_table, write_config
from leakpro.attacks.membership.base import MembershipAttack, registered_attacks
from leakpro.audit.reference_bank import ReferenceBank
from leakpro.audit.runner import run_audit
from leakpro.data.registry import builtin_datasets
from leakpro.game.view import AttackerView, QueryOracle, ReferenceSignals, ThreatModel
from leakpro.metrics.summary import membership_metrics
from leakpro.targets.trainers import SklearnTrainer

N_CAND, N_POP, N_DUP, K = 400, 300, 12, 4
ATTACKS = sorted(registered_attacks())


@pytest.fixture(scope="module")
def world():
    """Candidates members-first (with a few exact duplicates across members and non-members), population,
    a random forest trained on the members, and 4 reference forests."""
    ds = builtin_datasets()["adult"].load()
    rng = np.random.default_rng(3)
    perm = rng.permutation(len(ds))
    cand, pop = perm[:N_CAND], perm[N_CAND : N_CAND + N_POP]
    members = np.zeros(N_CAND, dtype=bool)
    members[: N_CAND // 2] = True
    # duplicates: copies of members' rows, as non-members (same features, same label, different secret)
    cand = np.r_[cand, cand[:N_DUP]]
    members = np.r_[members, np.zeros(N_DUP, dtype=bool)]
    records = ds.subset(np.r_[cand, pop])
    trainer = SklearnTrainer(RandomForestClassifier(n_estimators=30, random_state=0, n_jobs=1), ds.n_classes)
    member_rows = np.flatnonzero(members)
    target = trainer.fit(records.features[member_rows], records.labels[member_rows], 0)
    refs = ReferenceBank(records, cand.size, trainer, seed=0, cache_dir=None).signals(K)
    return records, members, target, refs


def _orders(members: np.ndarray, n_records: int) -> dict[str, np.ndarray]:
    """Row orders of the attacker's records: candidates first, then the population, each group reordered."""
    n = members.size
    pop = np.arange(n, n_records)
    rng = np.random.default_rng(11)
    return {
        "members-first": np.arange(n_records),
        "members-last": np.r_[np.argsort(members, kind="stable"), pop],
        "shuffled": np.r_[rng.permutation(n), n + rng.permutation(n_records - n)],
    }


def _plain(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return _plain(obj.model_dump())
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | np.ndarray):
        return [_plain(v) for v in obj]
    return obj.item() if isinstance(obj, np.generic) else obj


def assert_same_figures(got: Any, want: Any, where: str) -> None:
    """Equal figures, bit for bit (the metrics sum over sorted scores, so no last-bit drift either)."""
    got, want = _plain(got), _plain(want)
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), where
        for k in want:
            assert_same_figures(got[k], want[k], f"{where}: {k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same_figures(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        assert got == want or (np.isnan(got) and np.isnan(want)), f"{where}: {got} != {want}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def _view(world, order: np.ndarray) -> AttackerView:
    records, members, target, refs = world

    def source(k: int) -> ReferenceSignals:  # the same reference models, their rows in the same order
        return ReferenceSignals(refs.logits[:k][:, order], refs.trained_on[:k][:, order])

    return AttackerView(ThreatModel.SCORES, records.subset(order), members.size,
                        QueryOracle(target, ThreatModel.SCORES), source, seed=0)


def _attack(name: str) -> MembershipAttack:
    cls = registered_attacks()[name]
    fields = cls.Params.model_fields
    params: dict[str, object] = {"reference_models": K} if "reference_models" in fields else {}
    params.update({k: v for k, v in {"max_iter": 20, "queries": 4, "directions": 2, "steps": 6}.items()
                   if k in fields})
    if name in ("lira", "rmia"):
        params["mode"] = "offline"
    return cls(random_state=5, **params)


def test_the_forest_makes_ties(world):
    """The case is hard: many candidates share the population attack's top score."""
    view = _view(world, np.arange(len(world[0])))
    scores = _attack("population").run(view)
    assert int((scores == scores.max()).sum()) >= 20


@pytest.mark.parametrize("name", ATTACKS)
def test_scores_and_metrics_do_not_depend_on_row_order(name, world):
    records, members, _, _ = world
    orders = _orders(members, len(records))
    baseline = None
    for label, order in orders.items():
        scores = _attack(name).run(_view(world, order))
        cand_order = order[: members.size]
        back = np.empty_like(scores)
        back[cand_order] = scores  # score of each candidate, in the members-first numbering
        metrics = membership_metrics(scores, members[cand_order])
        if baseline is None:
            baseline = (back, metrics)
            continue
        assert np.array_equal(back, baseline[0]), f"{name}: per-record scores change with order {label!r}"
        assert_same_figures(metrics, baseline[1], f"{name}, order {label!r}")


@pytest.mark.parametrize("name", ["loss", "population", "qmia", "label_only_augmentation", "label_only_boundary"])
def test_duplicates_score_alike(name, world):
    """Exact duplicates (same features and label) get the same score from attacks without reference models
    (with them, one copy may be IN where the other is OUT): nothing per record is drawn by position."""
    records, members, _, _ = world
    scores = _attack(name).run(_view(world, np.arange(len(records))))
    n = members.size
    assert np.array_equal(scores[:N_DUP], scores[n - N_DUP : n])


FULL_ATTACKS = ["loss", "population", "qmia", "shadow", "reference", {"lira": {"mode": "offline"}}, "lira",
                {"rmia": {"mode": "offline"}}, "rmia", {"label_only_augmentation": {"queries": 4}}]


def _audit_sorted(tmp_path, frame, members_first: bool):
    """Audit the same forest on the same table, rows sorted members-first or members-last."""
    import skops.io as sio

    name = "first" if members_first else "last"
    table = frame.sort_values("in_training", ascending=not members_first, kind="stable")
    table.to_csv(tmp_path / f"{name}.csv", index=False)
    cfg = {"seed": 0, "data": {"table": f"{name}.csv", "label": "income", "features": NUMERIC,
                               "members": {"column": "in_training"}, "population": {"column": "is_population"}},
           "target": {"kind": "sklearn", "file": "rf.skops",
                      "trusted_types": sio.get_untrusted_types(file=tmp_path / "rf.skops")},
           "reference": {"models": 4}, "attacks": FULL_ATTACKS}
    result = run_audit(write_config(tmp_path, cfg, f"{name}.yaml"), out=tmp_path / name)
    scores = pd.read_csv(tmp_path / name / result.targets[0].scores_file)
    scores["person"] = table["person"].to_numpy()[scores["record"].to_numpy()]
    return result, scores.drop(columns="record").set_index("person").sort_index()


def test_an_audit_gives_the_same_figures_in_any_row_order(tmp_path):
    """The issue's case: one random forest, one table, sorted members-first and members-last (400 candidates:
    136 of them, members and non-members, sit at p = 1 for their label, so a tie broken by position shows)."""
    import skops.io as sio

    _, frame = adult_table(tmp_path, n=400, pop=200)
    frame["person"] = np.arange(len(frame))  # not a feature: only to match rows across the two tables
    members = frame[frame["in_training"]]
    forest = RandomForestClassifier(n_estimators=40, random_state=0, n_jobs=1)
    sio.dump(forest.fit(members[NUMERIC], members["income"] == ">50K"), tmp_path / "rf.skops")
    first, first_scores = _audit_sorted(tmp_path, frame, members_first=True)
    last, last_scores = _audit_sorted(tmp_path, frame, members_first=False)
    pd.testing.assert_frame_equal(first_scores, last_scores, check_exact=True)
    by_id = {a.id: a for a in last.targets[0].attacks}
    assert len(by_id) == len(FULL_ATTACKS)
    for a in first.targets[0].attacks:
        same, other = a.model_dump(exclude={"runtime_s"}), by_id[a.id].model_dump(exclude={"runtime_s"})
        assert_same_figures(other, same, a.id)  # the ε figure too: its held-out half is drawn in score order
    exclude = {"attacks", "scores_file"}
    assert first.targets[0].model_dump(exclude=exclude) == last.targets[0].model_dump(exclude=exclude)
