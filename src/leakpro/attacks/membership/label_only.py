"""Label-only attacks (Choquette-Choo et al., ICML 2021): the API returns predicted labels only.

``label_only_augmentation``: query the record and ``queries`` noisy copies (Gaussian noise of ``noise``
times each numeric feature's standard deviation, measured on the attacker's own records); score =
fraction labelled correctly. Members sit in wide correct regions.

``label_only_boundary``: a decision-based estimate of the distance to the decision boundary. Along
``directions`` random unit directions (in per-feature standardised space) a binary search of ``steps``
label queries finds the smallest radius at which the label changes; score = the smallest radius over
directions (the nearest boundary found), negated for records the model already gets wrong. All directions
of all records are searched together, one batched label query per bisection step; a direction is dropped
for a record once its lower end passes another direction's upper end (it can no longer be the nearest),
which leaves the scores unchanged and saves queries (``benchmarks/mia.py`` prints the cost).
Threat model: labels (also allowed when scores are available).

Noise and directions are drawn per distinct record in content order
(:func:`~leakpro.attacks.membership.features.canonical_ids`), so a record gets the same draws in any row
order and duplicates get the same ones.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from leakpro.attacks.membership.base import AttackParams, MembershipAttack, register_attack
from leakpro.attacks.membership.features import canonical_ids, feature_scale, perturb
from leakpro.data.dataset import take
from leakpro.game.view import AttackerView, ThreatModel

BOTH = frozenset({ThreatModel.SCORES, ThreatModel.LABELS})
QUERY_BATCH = 65_536  # perturbed records per label query (bounds memory; fewer, larger calls cost less overhead)


class AugmentationParams(AttackParams):
    queries: int = Field(16, ge=1, le=1000)
    noise: float = Field(0.3, gt=0, description="noise std as a multiple of each feature's std")


class BoundaryParams(AttackParams):
    directions: int = Field(6, ge=1, le=100)
    steps: int = Field(12, ge=2, le=40, description="binary-search steps per direction")
    max_radius: float = Field(64.0, gt=0, description="largest radius searched, in feature stds")


@register_attack
class LabelOnlyAugmentation(MembershipAttack):
    name = "label_only_augmentation"
    title = "Label-only (noise augmentation)"
    paper = "Choquette-Choo et al., Label-Only Membership Inference Attacks, ICML 2021"
    threat_models = BOTH
    Params = AugmentationParams
    baseline = "gap"

    def scores(self, view: AttackerView) -> np.ndarray:
        p: AugmentationParams = self.params  # type: ignore[assignment]
        c = slice(0, view.n_candidates)
        feats, y = view.features(c), view.labels[c]
        scale = feature_scale(view.records.features)
        ids, distinct = canonical_ids(feats, y)
        rng = np.random.default_rng(self.random_state)
        correct = (view.oracle.labels(feats) == y).astype(np.float64)
        for _ in range(p.queries):
            noise = rng.standard_normal((distinct, scale.size))[ids] * scale * p.noise
            correct += view.oracle.labels(perturb(feats, noise)) == y
        return correct / (p.queries + 1)


@register_attack
class LabelOnlyBoundary(MembershipAttack):
    name = "label_only_boundary"
    title = "Label-only (boundary distance)"
    paper = "Choquette-Choo et al., Label-Only Membership Inference Attacks, ICML 2021"
    threat_models = BOTH
    Params = BoundaryParams
    baseline = "gap"

    def scores(self, view: AttackerView) -> np.ndarray:
        p: BoundaryParams = self.params  # type: ignore[assignment]
        c = slice(0, view.n_candidates)
        feats = view.features(c)
        scale = feature_scale(view.records.features)
        ids, distinct = canonical_ids(feats, view.labels[c])
        rng = np.random.default_rng(self.random_state)
        base = view.oracle.labels(feats)
        u = np.empty((p.directions, view.n_candidates, scale.size))
        for j in range(p.directions):  # the draws of the one-direction-at-a-time search, in the same order
            u[j] = rng.standard_normal((distinct, scale.size))[ids]
            u[j] /= np.linalg.norm(u[j], axis=1, keepdims=True)
        u *= scale  # per-feature steps: (u · scale) · radius, the same products in the same order as before
        lo = np.zeros((p.directions, view.n_candidates))
        hi = np.full((p.directions, view.n_candidates), p.max_radius)
        for _ in range(p.steps):
            # A (direction, record) pair whose lower end has reached another direction's upper end can no longer
            # give the record's nearest boundary (its estimate stays above that direction's): it is not queried
            # again. The minimum over directions is exactly that of searching every direction to the end.
            d_idx, r_idx = np.nonzero(lo < hi.min(axis=0))
            for s in range(0, d_idx.size, QUERY_BATCH):
                d, r = d_idx[s : s + QUERY_BATCH], r_idx[s : s + QUERY_BATCH]
                mid = 0.5 * (lo[d, r] + hi[d, r])
                flipped = view.oracle.labels(perturb(take(feats, r), u[d, r] * mid[:, None])) != base[r]
                hi[d, r] = np.where(flipped, mid, hi[d, r])
                lo[d, r] = np.where(flipped, lo[d, r], mid)
        dist = (0.5 * (lo + hi)).min(axis=0)
        return np.where(base == view.labels[c], dist, -dist)
