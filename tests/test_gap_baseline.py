"""The gap attack (correctly classified ⇒ member): ties as ties, a planted leak, a null case, and the
paired comparison label-only attacks are judged by."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from leakpro.attacks.membership.gap import GapAttack
from leakpro.audit.baselines import verdict
from leakpro.data.registry import builtin_datasets
from leakpro.game.challenger import MembershipGame
from leakpro.game.view import AttackerView, QueryOracle, ThreatModel
from leakpro.metrics.compare import paired_auc_difference
from leakpro.metrics.roc import auc_delong_interval, roc_curve
from leakpro.metrics.summary import membership_metrics
from leakpro.report.text import baseline_sentence
from leakpro.results.types import BaselineComparison, Interval
from leakpro.targets.sklearn_target import SklearnTarget


def _view(train_rows: str) -> tuple[AttackerView, np.ndarray]:
    """800 Adult candidates (half members), a fully grown tree trained on the members ('members') or on
    population rows that are never candidates ('population', the null case)."""
    ds = builtin_datasets()["adult"].load()
    rng = np.random.default_rng(5)
    perm = rng.permutation(len(ds))
    members = rng.permutation(np.r_[np.ones(400, bool), np.zeros(400, bool)])
    game = MembershipGame(ds, np.sort(perm[:800]), members, np.sort(perm[800:1200]))
    rows = game.member_indices() if train_rows == "members" else perm[1200:1600]
    train = ds.subset(rows)
    tree = DecisionTreeClassifier(random_state=0).fit(train.features, train.labels)
    target = SklearnTarget(tree, ds.n_classes)
    view = AttackerView(ThreatModel.LABELS, game.attacker_records(), game.n_candidates,
                        QueryOracle(target, ThreatModel.LABELS), lambda k: None, seed=0)  # type: ignore[arg-type,return-value]
    return view, game.members


def test_gap_finds_a_planted_leak():
    view, members = _view("members")
    s = GapAttack().run(view)
    assert set(np.unique(s)) <= {0.0, 1.0} and view.oracle.queries == 800
    assert s[members].mean() == 1.0  # a fully grown tree gets every training record right
    a = membership_metrics(s, members)["auc"]
    assert a.low > 0.5, a


def test_gap_is_clean_on_the_null_case():
    view, members = _view("population")
    a = membership_metrics(GapAttack().run(view), members)["auc"]
    assert a.low <= 0.5 <= a.high, a


def test_two_valued_scores_are_ties_not_row_order():
    """A 0/1 score has one interior ROC point; AUC = ½(1 + TPR − FPR) exactly; row order changes nothing."""
    rng = np.random.default_rng(0)
    members = rng.random(1000) < 0.5
    s = (rng.random(1000) < np.where(members, 0.9, 0.75)).astype(float)
    roc = roc_curve(s, members)
    assert roc.tp.size == 3  # (0, 0), the interior point at threshold 1, (1, 1)
    tpr, fpr = s[members].mean(), s[~members].mean()
    assert roc.tpr[1] == pytest.approx(tpr) and roc.fpr[1] == pytest.approx(fpr)
    value, low, high = auc_delong_interval(s, members)
    assert value == pytest.approx(0.5 * (1 + tpr - fpr))
    assert low < value < high
    perm = rng.permutation(1000)
    m1, m2 = membership_metrics(s, members), membership_metrics(s[perm], members[perm])
    assert m1["auc"] == m2["auc"] and m1["tpr_at_fpr"] == m2["tpr_at_fpr"]
    assert m1["tpr_at_fpr"][1].tpr.value == 0.0  # FPR ≥ 75 % at the only interior point: nothing at 1 % FPR


def _brute_auc(s: np.ndarray, m: np.ndarray) -> float:
    pairs = list(itertools.product(s[m], s[~m]))
    return float(np.mean([1.0 if p > q else 0.5 if p == q else 0.0 for p, q in pairs]))


def test_paired_difference_matches_brute_force_and_is_antisymmetric():
    rng = np.random.default_rng(1)
    m = rng.random(120) < 0.4
    a = np.round(rng.normal(size=120) + m, 1)  # rounded: many ties
    b = (rng.random(120) < 0.5 + 0.2 * m).astype(float)
    d = paired_auc_difference(a, b, m)
    assert d.difference == pytest.approx(_brute_auc(a, m) - _brute_auc(b, m))
    assert d.auc_b == pytest.approx(_brute_auc(b, m))
    r = paired_auc_difference(b, a, m)
    assert r.difference == pytest.approx(-d.difference) and r.low == pytest.approx(-d.high)
    same = paired_auc_difference(a, a, m)
    assert same.difference == 0 and same.low == 0 and same.high == 0


def test_paired_interval_covers_on_known_truth():
    """Two attacks with the same true AUC (independent noise on one signal): the 95 % interval of their
    difference covers 0 in about 95 % of 300 simulations (binomial band 90–99 %)."""
    rng = np.random.default_rng(2)
    covered = 0
    for _ in range(300):
        m = rng.random(400) < 0.5
        signal = rng.normal(size=400) + 0.6 * m
        a = signal + rng.normal(size=400)
        b = signal + rng.normal(size=400)
        d = paired_auc_difference(a, b, m)
        covered += d.low <= 0 <= d.high
    assert 270 <= covered <= 297, covered


def test_verdict_rule_and_report_sentence():
    assert verdict(0.01, 0.05) == "beats"
    assert verdict(-0.01, 0.05) == "not distinguishable"
    assert verdict(-0.05, -0.01) == "worse"

    class _A:
        versus_baseline = BaselineComparison(
            baseline="gap", auc_difference=Interval(value=-0.03, low=-0.05, high=-0.01, method="paired delong"),
            verdict="worse")

    text = baseline_sentence(_A())  # type: ignore[arg-type]
    assert "does not beat the baseline" in text and "does worse than" in text and "-0.030" in text
