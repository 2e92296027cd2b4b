"""The challenger's side of extraction: fidelity and accuracy of each surrogate on held-out inputs.

Fidelity is the share of held-out inputs on which the surrogate's label equals the target's; accuracy
uses the true labels. Both carry Wilson intervals. The baseline is the fidelity of always answering the
target's most common label: a surrogate at or below it has stolen nothing.
"""

from __future__ import annotations

import time

import numpy as np

from leakpro.attacks.extraction.base import ExtractionAttack, ExtractionRun
from leakpro.attacks.extraction.results import CurvePoint, ExtractionResult
from leakpro.attacks.extraction.surrogate import numeric_queries
from leakpro.data.dataset import Features
from leakpro.game.view import QueryOracle, ThreatModel
from leakpro.results.types import Interval
from leakpro.stats.intervals import wilson
from leakpro.targets.protocol import Target


def _rate(successes: int, trials: int, confidence: float) -> Interval:
    lo, hi = wilson(successes, trials, confidence)
    return Interval(value=successes / trials, low=lo, high=hi, confidence=confidence, method="wilson")


def evaluate_extraction(attack: ExtractionAttack, run: ExtractionRun, threat_model: ThreatModel,
                        eval_features: Features, target_labels: np.ndarray, true_labels: np.ndarray, *,
                        evaluation_queries: int, runtime_s: float, confidence: float = 0.95) -> ExtractionResult:
    """Judge every surrogate of ``run`` against the target's labels and the true labels on held-out inputs."""
    x = numeric_queries(eval_features)
    n = int(target_labels.shape[0])
    if n == 0 or x.shape[0] != n or true_labels.shape[0] != n:
        raise ValueError("evaluation inputs, target labels and true labels must be non-empty and equally long")
    curve = []
    for queries, surrogate in run.surrogates:
        pred = surrogate.predict(x)
        agree, correct = int((pred == target_labels).sum()), int((pred == true_labels).sum())
        curve.append(CurvePoint(queries=queries, fidelity=_rate(agree, n, confidence),
                                accuracy=_rate(correct, n, confidence), agreements=agree, correct=correct,
                                n_eval=n))
    majority = int(np.bincount(target_labels).max())
    return ExtractionResult(
        attack=attack.name, title=attack.title, paper=attack.paper, threat_model=threat_model.value,
        params=attack.params.model_dump(mode="json"), derived=run.derived, seed=attack.random_state,
        queries=run.queries, evaluation_queries=evaluation_queries, curve=curve,
        target_accuracy=_rate(int((target_labels == true_labels).sum()), n, confidence),
        baseline_fidelity=majority / n, surrogate=run.surrogates[-1][1].describe(), runtime_s=round(runtime_s, 4),
    )


def run_extraction(attack: ExtractionAttack, target: Target, threat_model: ThreatModel | str, pool: Features,
                   eval_features: Features, eval_labels: np.ndarray, *,
                   evaluator: Target | None = None) -> tuple[ExtractionResult, Target]:
    """Extract ``target`` through a threat-model-restricted oracle, then judge it; returns (result, surrogate).

    The target's labels on the evaluation inputs are the auditor's measurement, queried from ``evaluator``
    (default: ``target``; give a separate client, e.g. an HttpTarget without a budget, so the measurement
    does not spend the attacker's budget), reported as ``evaluation_queries`` and never shown to the attacker.
    """
    threat = ThreatModel(threat_model)
    oracle = QueryOracle(target, threat)
    start = time.perf_counter()
    run = attack.run(oracle, pool)
    runtime = time.perf_counter() - start
    target_labels = (evaluator or target).predict(eval_features)
    result = evaluate_extraction(attack, run, threat, eval_features, target_labels, np.asarray(eval_labels),
                                 evaluation_queries=int(target_labels.shape[0]), runtime_s=runtime)
    return result, run.surrogates[-1][1]
