"""The headline attack is chosen on reference models, never on the target or its secret."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.audit.headline import CHANCE, HIGH_AT, HeadlineChoice, NotReplayable, choose_headline, strength
from leakpro.data.dataset import Dataset
from leakpro.game.view import AttackerView, QueryOracle, ReferenceSignals, ThreatModel
from leakpro.metrics.simultaneous import comparison_confidences, simultaneous_intervals
from leakpro.report.risk import MEMBERSHIP_THRESHOLDS, RiskLevel

N_CAND, N_POP, K = 400, 200, 4


class _NoTarget(QueryOracle):
    """The real target: the choice must never query it."""

    def __init__(self) -> None:
        self.threat_model, self.n_classes, self.queries = ThreatModel.SCORES, 2, 0

    def logits(self, features: object) -> np.ndarray:
        raise AssertionError("the headline choice queried the target")

    labels = logits  # type: ignore[assignment]


def _world(leak: float, seed: int = 0) -> tuple[AttackerView, ReferenceSignals]:
    """Reference models whose logit margin on the true label rises by ``leak`` on their training records."""
    rng = np.random.default_rng(seed)
    r = N_CAND + N_POP
    labels = rng.integers(0, 2, r)
    trained = np.zeros((K, r), dtype=bool)
    for i in range(0, K, 2):
        half = rng.permutation(N_CAND)[: N_CAND // 2]
        trained[i, half] = True
        trained[i + 1, :N_CAND] = ~trained[i, :N_CAND]
    margin = rng.normal(size=(K, r)) + leak * trained
    logits = np.zeros((K, r, 2))
    logits[np.arange(K)[:, None], np.arange(r)[None, :], labels[None, :]] = margin
    x = rng.normal(size=(r, 3)).astype(np.float32)
    records = Dataset(name="toy", features=x, labels=labels, classes=("a", "b"))
    refs = ReferenceSignals(logits=logits, trained_on=trained)
    view = AttackerView(ThreatModel.SCORES, records, N_CAND, _NoTarget(), lambda k: refs, seed)
    return view, refs


class _Margin:
    """Scores by the target's logit on the record's label (a LOSS-like attack)."""

    def __init__(self) -> None:
        self.seen_ = 0

    def run(self, view: AttackerView) -> np.ndarray:
        self.seen_ += 1
        z = view.target_logits()[: view.n_candidates]
        return z[np.arange(view.n_candidates), view.labels[: view.n_candidates]]


class _Calibrated(_Margin):
    """The margin minus the mean margin of the reference models that did not train on the record."""

    def run(self, view: AttackerView) -> np.ndarray:
        ref = view.reference(K)
        n = view.n_candidates
        own = super().run(view)
        z = ref.logits[:, :n][:, np.arange(n), view.labels[:n]]
        out = np.where(ref.trained_on[:, :n], np.nan, z)
        return own - np.nanmean(np.where(np.isnan(out).all(0), 0.0, out), axis=0)


class _Coin:
    def run(self, view: AttackerView) -> np.ndarray:
        return np.random.default_rng(7).random(view.n_candidates)


class _Perturbs:
    """Queries inputs other than the records (as label-only attacks do)."""

    def run(self, view: AttackerView) -> np.ndarray:
        x = view.records.features + 0.1
        return view.oracle.labels(x)[: view.n_candidates].astype(float)


def test_planted_leak_picks_an_attack_that_uses_it_and_never_queries_the_target() -> None:
    view, _ = _world(leak=1.5)
    margin, calibrated = _Margin(), _Calibrated()
    choice = choose_headline([("coin", _Coin()), ("margin", margin), ("calibrated", calibrated),
                              ("perturbs", _Perturbs())], view, view.reference_source, K)
    assert choice.primary in {"margin", "calibrated"}
    assert choice.figures["coin"]["auc"] == pytest.approx(0.5, abs=0.08)
    assert choice.figures[choice.primary]["auc"] > 0.75
    assert "perturbs" in choice.skipped and "records" in choice.skipped["perturbs"]
    assert margin.seen_ == 0 and calibrated.seen_ == 0  # replays ran on copies: the target's attack is untouched
    assert choice.pseudo_targets == 2 and "chosen before its result on the target was seen" in choice.describe()


def test_null_world_still_chooses_without_the_target_and_without_inflating_levels() -> None:
    view, _ = _world(leak=0.0, seed=3)
    choice = choose_headline([("margin", _Margin()), ("coin", _Coin())], view, view.reference_source, K)
    assert all(abs(f["auc"] - 0.5) < 0.1 for f in choice.figures.values())
    # whatever was chosen, the weighted split keeps the family-wise error at 1 − confidence
    levels = comparison_confidences(["a", "b", "c"], 3, 0.95, "b", 0.8)
    assert sum(3 * (1 - c) for c in levels.values()) == pytest.approx(0.05)
    assert levels["b"] == pytest.approx(1 - 0.04 / 3) and levels["a"] == pytest.approx(1 - 0.01 / 6)


def test_no_reference_models_means_no_primary_with_the_reason() -> None:
    view, _ = _world(leak=1.0)
    choice = choose_headline([("margin", _Margin())], view, None, 0)
    assert choice.primary is None and "no reference models" in choice.skipped["margin"]
    one = choose_headline([("margin", _Margin())], view, view.reference_source, 1)
    assert one.primary is None and "1 reference model" in one.skipped["margin"]


def test_records_oracle_refuses_other_inputs() -> None:
    view, refs = _world(leak=1.0)
    from leakpro.audit.headline import RecordsOracle

    oracle = RecordsOracle(refs.logits[0], view.records.features, ThreatModel.LABELS)
    assert oracle.labels(view.records.features).shape == (N_CAND + N_POP,)
    with pytest.raises(NotReplayable):
        oracle.logits(view.records.features)  # labels-only threat model: no scores, as for the real target
    assert oracle.labels(view.records.features[:10].copy()).shape == (10,)  # the first records (candidates)
    with pytest.raises(NotReplayable):
        oracle.labels(view.records.features[5:15])
    with pytest.raises(NotReplayable):
        oracle.labels(view.records.features + 0.1)


def test_high_rungs_are_read_from_the_report_ladder() -> None:
    high = {t.figure: t.at for t in MEMBERSHIP_THRESHOLDS if t.level is RiskLevel.HIGH}
    assert high == HIGH_AT == {"auc": 0.65, "tpr@1%": 0.10, "tpr@0.1%": 0.01}
    assert set(HIGH_AT) == set(CHANCE)  # every figure the headline weighs has a High rung
    assert strength({"auc": 0.65}) == pytest.approx(1.0) and strength({"auc": 0.5, "tpr@1%": 0.01}) == 0.0


def test_primary_gets_the_narrower_interval_and_the_note_says_so() -> None:
    rng = np.random.default_rng(0)
    members = np.r_[np.ones(1000, bool), np.zeros(1000, bool)]
    scores = {n: rng.normal(size=2000) + 0.6 * members for n in ("a", "b", "c", "d")}
    plain = simultaneous_intervals(scores, members)
    weighted = simultaneous_intervals(scores, members, primary="c", primary_note="c, chosen on references",
                                      evidence={"c": {"auc": 0.6}}, not_replayed={"d": "queries"})
    assert weighted.primary == "c" and weighted.primary_evidence == {"c": {"auc": 0.6}}
    assert weighted.attacks["c"]["auc"].low > plain.attacks["c"]["auc"].low  # less of a correction
    assert weighted.attacks["a"]["auc"].low < plain.attacks["a"]["auc"].low  # paid for by the others
    assert "weighted Bonferroni" in weighted.method and weighted.not_replayed == {"d": "queries"}
    with pytest.raises(ValueError, match="primary attack 'z'"):
        simultaneous_intervals(scores, members, primary="z")


def test_choice_is_a_dataclass_that_records_its_inputs() -> None:
    c = HeadlineChoice("a", 2, 8, {"a": {"auc": 0.6}}, {"b": "why"})
    assert "with the other 7" in c.describe()


def test_page_one_note_names_the_primary_and_both_confidences() -> None:
    from types import SimpleNamespace

    from leakpro.report.risk import selection_note

    rng = np.random.default_rng(2)
    members = np.r_[np.ones(1000, bool), np.zeros(1000, bool)]
    scores = {n: rng.normal(size=2000) for n in ("a", "b", "c")}
    sim = simultaneous_intervals(scores, members, primary="b", primary_note="b, chosen on references")
    note = selection_note(SimpleNamespace(simultaneous=sim))  # type: ignore[arg-type]
    primary_conf = 1 - 0.05 * 0.8 / 3
    others_conf = 1 - 0.05 * 0.2 / 6
    assert "The primary attack is b, chosen on references" in note
    assert f"(each at {primary_conf:.2%})" in note and f"(each at {others_conf:.2%})" in note
    plain = selection_note(SimpleNamespace(simultaneous=simultaneous_intervals(scores, members)))  # type: ignore[arg-type]
    assert "Bonferroni" in plain and "primary" not in plain
