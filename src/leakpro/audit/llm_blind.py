"""The blind baseline: can the texts alone, without any model, tell members from non-members?

LLM membership benchmarks are fooled by member/non-member distribution shift (Das et al. 2024, "Blind
Baselines Beat Membership Inference Attacks for Foundation Models"; Duan et al. 2024): when members come from one
source or time and non-members from another, a classifier on the texts separates them, and so does any "attack".
The auditor (who knows the split) trains word n-gram TF-IDF + logistic regression with stratified k-fold
cross-validation; each text is scored by the fold that never saw it, and the AUC of those out-of-fold scores (with
its DeLong interval; folds share training texts, so the interval is approximate) is set beside the attacks'.
Its settings (n-gram range, C = 1, folds) are fixed, never tuned on the split.

>>> texts = [f"alpha {i}" for i in range(40)] + [f"omega {i}" for i in range(40)]
>>> out = blind_baseline(texts, np.r_[np.ones(40), np.zeros(40)].astype(bool), folds=5, random_state=0)
>>> out.auc.value > 0.95
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from leakpro.metrics.roc import auc_delong_interval
from leakpro.results.llm import BlindBaselineResult
from leakpro.results.types import Interval


def out_of_fold_scores(texts: Sequence[str], members: np.ndarray, folds: int, max_ngram: int,
                       random_state: int) -> np.ndarray:
    """P(member | text) for every text from the fold model that never saw it."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline

    y = np.asarray(members, dtype=bool)
    scores = np.zeros(len(texts))
    arr = np.asarray(texts, dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(arr, y):
        model = make_pipeline(TfidfVectorizer(ngram_range=(1, max_ngram), sublinear_tf=True, min_df=1),
                              LogisticRegression(C=1.0, max_iter=2000))
        model.fit(list(arr[train]), y[train])
        scores[test] = model.predict_proba(list(arr[test]))[:, 1]
    return scores


def blind_baseline(texts: Sequence[str], members: np.ndarray, *, folds: int = 5, max_ngram: int = 2,
                   random_state: int = 0, best_attack: Interval | None = None) -> BlindBaselineResult:
    """Out-of-fold n-gram logistic regression AUC, and whether it explains the attacks (``best_attack``'s AUC)."""
    scores = out_of_fold_scores(texts, members, folds, max_ngram, random_state)
    value, low, high = auc_delong_interval(scores, np.asarray(members, dtype=bool))
    auc = Interval(value=value, low=low, high=high, method="delong on out-of-fold scores (approximate)")
    shifted = low > 0.5
    matches = bool(shifted and best_attack is not None and best_attack.value <= high)
    if matches:
        verdict = ("the split, not the model, is leaking: a classifier on the texts alone separates members from "
                   "non-members as well as the attacks do, so their AUC does not show memorisation")
    elif shifted:
        verdict = ("members and non-members differ in their texts (the blind baseline is above 0.5), but the attacks "
                   "do better: part of their signal may be the split; compare with the blind AUC, not with 0.5")
    else:
        verdict = "the texts alone do not separate members from non-members: the split looks random"
    return BlindBaselineResult(method=f"word 1–{max_ngram}-gram TF-IDF + logistic regression, {folds}-fold CV",
                               folds=folds, auc=auc, shifted=bool(shifted), matches_attacks=matches, verdict=verdict)
