"""Shadow-model attack (Shokri et al., IEEE S&P 2017), label as a feature.

The reference models serve as shadow models: the attacker knows which records each trained on, so their
outputs give labelled member/non-member examples. Features per (model, record): log-odds of the true
class, log-probability of the true class, the top log-probability, the entropy, and the one-hot label.
A gradient-boosted classifier learns member vs non-member and scores the target's outputs. Scores are
coarse; it is reported as a baseline. Threat model: scores.

The training rows are put in content order (model, record content, IN/OUT) before they are subsampled
and fit, so the scores do not depend on the row order of the records.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from leakpro.attacks.membership.base import AttackParams, MembershipAttack, register_attack
from leakpro.attacks.membership.features import one_thread
from leakpro.data.dataset import record_keys
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.signals.math import logit_margin
from leakpro.targets.logits import log_softmax


class ShadowParams(AttackParams):
    reference_models: int = Field(4, ge=1, description="shadow models (shared with the other attacks)")
    max_examples: int = Field(60_000, ge=1000, description="cap on training rows for the attack model")


def output_features(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(…, R, F) attack features from (…, R, C) logits."""
    lp = log_softmax(logits)
    phi = logit_margin(logits, labels)
    idx = np.broadcast_to(labels[..., None], (*lp.shape[:-1], 1))
    lpy = np.take_along_axis(lp, idx, axis=-1)[..., 0]
    entropy = -(np.exp(lp) * lp).sum(axis=-1)
    onehot = np.broadcast_to(np.eye(lp.shape[-1])[labels], lp.shape)
    return np.concatenate([np.stack([phi, lpy, lp.max(axis=-1), entropy], axis=-1), onehot], axis=-1)


@register_attack
class ShadowAttack(MembershipAttack):
    name = "shadow"
    title = "Shadow models (Shokri)"
    paper = "Shokri et al., Membership Inference Attacks against Machine Learning Models, IEEE S&P 2017"
    threat_models = frozenset({ThreatModel.SCORES})
    Params = ShadowParams

    def scores(self, view: AttackerView) -> np.ndarray:
        from sklearn.ensemble import HistGradientBoostingClassifier

        p: ShadowParams = self.params  # type: ignore[assignment]
        ref = view.reference(p.reference_models)
        feats = output_features(ref.logits, view.labels)  # (k, R, F)
        keys = np.broadcast_to(record_keys(view.records.features, view.labels), ref.trained_on.shape)
        models = np.broadcast_to(np.arange(ref.trained_on.shape[0])[:, None], ref.trained_on.shape)
        order = np.lexsort((ref.trained_on.reshape(-1), keys.reshape(-1), models.reshape(-1)))
        x = feats.reshape(-1, feats.shape[-1])[order]
        y = ref.trained_on.reshape(-1)[order]
        rng = np.random.default_rng(self.random_state)
        if x.shape[0] > p.max_examples:
            keep = rng.choice(x.shape[0], p.max_examples, replace=False)
            x, y = x[keep], y[keep]
        with one_thread():
            clf = HistGradientBoostingClassifier(max_iter=200, random_state=self.random_state).fit(x, y)
        c = slice(0, view.n_candidates)
        target = output_features(view.target_logits()[c], view.labels[c])
        proba = clf.predict_proba(target)[:, 1]
        return np.log(np.clip(proba, 1e-300, 1.0)) - np.log(np.clip(1 - proba, 1e-300, 1.0))
