"""Model extraction through the API: equation solving recovers a logistic model from d + 1 queries over HTTP;
a knockoff surrogate approaches the target; a stolen surrogate stands in for score access."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from conftest import http_cfg
from helpers import write_config
from leakpro.attacks.extraction import EquationSolving, KnockoffExtraction, run_extraction
from leakpro.audit.plan import build_plan, parse_config
from leakpro.audit.surrogate_membership import surrogate_membership_gain
from leakpro.data.registry import builtin_datasets
from leakpro.game.view import QueryOracle, ThreatModel
from leakpro.serve import ModelServer
from leakpro.targets.http_target import HttpTarget, HttpTargetSpec
from leakpro.targets.sklearn_target import SklearnTarget


@pytest.fixture(scope="module")
def adult_split():
    ds = builtin_datasets()["adult"].load()
    idx = np.random.default_rng(0).permutation(len(ds))
    tr, pool, ev = idx[:3000], idx[3000:5000], idx[5000:7000]
    return ds.features[tr], ds.labels[tr], ds.features[pool], ds.features[ev], ds.labels[ev]


def test_equation_solving_recovers_logistic_model_over_http(adult_split):
    x_tr, y_tr, pool, x_ev, y_ev = adult_split
    target = SklearnTarget(LogisticRegression(max_iter=2000).fit(x_tr, y_tr), 2)
    with ModelServer(target, port=0, output="probabilities") as server:
        api = HttpTarget(HttpTargetSpec(url=server.url, output="probabilities", budget=200), 2)
        auditor = HttpTarget(HttpTargetSpec(url=server.url, output="probabilities"), 2)  # no budget: not the attacker
        result, surrogate = run_extraction(EquationSolving(random_state=1), api, "scores", pool, x_ev, y_ev,
                                           evaluator=auditor)
        assert api.spent == 109 and auditor.spent == len(x_ev)
    d = x_tr.shape[1]
    assert result.queries == d + 1 == result.curve[-1].queries  # 109 queries for 108 features
    assert result.final.fidelity.value >= 0.99 and result.final.fidelity.low > result.baseline_fidelity
    assert result.curve[0].fidelity.value < result.final.fidelity.value  # the curve rises with queries
    rel = target.logits(x_ev) @ np.array([-1.0, 1.0])  # log p1 − log p0; saturates where p rounds to 1
    ok = np.abs(rel) < 15
    assert ok.mean() > 0.9
    np.testing.assert_allclose(surrogate.logits(x_ev)[ok, 1], rel[ok], atol=1e-3)  # the weights themselves
    assert abs(result.final.accuracy.value - result.target_accuracy.value) < 0.01


def test_equation_solving_flags_a_nonlinear_target_and_needs_scores(adult_mlp):
    _, _, mlp = adult_mlp
    rng = np.random.default_rng(0)
    pool, x_ev = rng.standard_normal((500, 5)), rng.standard_normal((300, 5))
    result, _ = run_extraction(EquationSolving(budget=40), mlp, "scores", pool, x_ev, mlp.predict(x_ev))
    assert result.derived["looks_linear"] is False
    with pytest.raises(ValueError, match=r"needs the API's scores"):
        EquationSolving().run(QueryOracle(mlp, ThreatModel.LABELS), pool)


def test_knockoff_surrogate_curve_over_label_only_api(adult_split):
    x_tr, y_tr, pool, x_ev, y_ev = adult_split
    target = SklearnTarget(LogisticRegression(max_iter=2000).fit(x_tr, y_tr), 2)
    attack = KnockoffExtraction(budget=800, checkpoints=[50, 800], random_state=0)
    with ModelServer(target, port=0, output="labels") as server:
        api = HttpTarget(HttpTargetSpec(url=server.url, output="labels"), 2)
        result, _ = run_extraction(attack, api, "labels", pool, x_ev, y_ev)
    assert result.queries == 800 and [p.queries for p in result.curve] == [50, 800]
    assert result.derived["soft_labels"] is False
    assert result.final.fidelity.low > result.baseline_fidelity  # better than answering the majority label
    assert result.final.fidelity.value >= 0.93


def test_stolen_surrogate_stands_in_for_score_access(adult_mlp):
    tmp, path, target = adult_mlp
    with ModelServer(target, port=0, output="labels") as server:
        cfg = http_cfg(path, server.url, ["label_only_augmentation"], "labels", output="labels")
        plan = build_plan(*parse_config(write_config(tmp, cfg, "extract.yaml")))
        api, records = plan.target, plan.game.attacker_records()
        run = KnockoffExtraction(budget=len(records), checkpoints=[len(records)]).run(
            QueryOracle(api, ThreatModel.LABELS), records.features)
        stolen = surrogate_membership_gain(plan.game, api, run.surrogates[-1][1])
        exact = surrogate_membership_gain(plan.game, api, target)  # a perfect copy = the target's own scores
    loss = next(r for r in stolen.with_surrogate if r.attack == "loss")
    assert stolen.auc_gain == pytest.approx(loss.auc.value - stolen.label_only[0].auc.value, abs=1e-6)
    assert stolen.label_only[0].queries > 0 and loss.queries == 0
    assert "label-only" in stolen.summary
    assert exact.with_surrogate[0].auc.low > 0.5  # with the target's own scores the overfit model is caught
