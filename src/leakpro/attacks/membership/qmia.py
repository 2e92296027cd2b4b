"""QMIA, quantile-regression membership inference (Bertran et al., NeurIPS 2023), Gaussian variant.

From population records (known non-members) only, fit a regressor that predicts from x the distribution
of the target's log-odds φ_θ(x) on non-members: mean μ(x) by gradient-boosted regression, and σ(x) by a
second regressor on the log squared residuals of a cross-fitted μ (corrected by E[log χ²₁] = −1.27).
score(x) = (φ_θ(x) − μ(x)) / σ(x). No reference models. Threat model: scores.

The population records are put in content order (:func:`~leakpro.data.dataset.record_keys`)
before the folds are drawn and the regressors fit, so the scores do not depend on the row order.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from leakpro.attacks.membership.base import AttackParams, MembershipAttack, register_attack
from leakpro.attacks.membership.features import numeric_matrix, one_thread
from leakpro.data.dataset import record_keys
from leakpro.game.view import AttackerView, ThreatModel
from leakpro.signals.math import logit_margin

LOG_CHI2_MEAN = -1.2704


class QmiaParams(AttackParams):
    max_iter: int = Field(200, ge=10, description="boosting iterations of each regressor")
    folds: int = Field(3, ge=2, description="cross-fitting folds for the residuals")


@register_attack
class QmiaAttack(MembershipAttack):
    name = "qmia"
    title = "QMIA (Gaussian)"
    paper = "Bertran et al., Scalable Membership Inference Attacks via Quantile Regression, NeurIPS 2023"
    threat_models = frozenset({ThreatModel.SCORES})
    Params = QmiaParams

    def _regressor(self, seed: int):  # type: ignore[no-untyped-def]
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(max_iter=self.params.max_iter, random_state=seed)  # type: ignore[attr-defined]

    def scores(self, view: AttackerView) -> np.ndarray:
        with one_thread():
            return self._scores(view)

    def _scores(self, view: AttackerView) -> np.ndarray:
        folds = self.params.folds  # type: ignore[attr-defined]
        phi = logit_margin(view.target_logits(), view.labels)
        x = numeric_matrix(view.records.features)
        x = np.column_stack([x, np.eye(view.records.n_classes)[view.labels]])
        pop = np.arange(view.population_slice.start, len(view.records))
        pop = pop[np.argsort(record_keys(view.features(pop), view.labels[pop]), kind="stable")]  # content order
        if pop.size < 10 * folds:
            raise ValueError(f"QMIA needs at least {10 * folds} population records, got {pop.size}")
        rng = np.random.default_rng(self.random_state)
        fold = rng.permutation(pop.size) % folds
        mu_cv = np.empty(pop.size)
        for f in range(folds):
            mu_f = self._regressor(self.random_state + f).fit(x[pop[fold != f]], phi[pop[fold != f]])
            mu_cv[fold == f] = mu_f.predict(x[pop[fold == f]])
        mu = self._regressor(self.random_state).fit(x[pop], phi[pop])
        log_r2 = np.log((phi[pop] - mu_cv) ** 2 + 1e-12)
        sig = self._regressor(self.random_state + folds).fit(x[pop], log_r2)
        c = slice(0, view.n_candidates)
        sigma = np.exp(0.5 * (sig.predict(x[c]) - LOG_CHI2_MEAN))
        return (phi[c] - mu.predict(x[c])) / np.maximum(sigma, 1e-6)
