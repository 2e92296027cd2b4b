"""Equation-solving extraction of linear / logistic models (Tramèr et al., Stealing Machine Learning Models
via Prediction APIs, USENIX Security 2016).

Threat model: the API returns scores (logits or probabilities). For a multinomial logistic model,
log p_i(x) − log p_0(x) = (w_i − w_0)·x + (b_i − b_0): every answer gives C − 1 linear equations in the
unknown weights, so d + 1 queries in general position determine the model exactly (up to the per-class
shift that does not change any prediction). Variant: random queries (Gaussians matching the public
pool's feature means/stds by default) solved by least squares at each checkpoint; with fewer than d + 1
queries the minimum-norm solution is used. The least-squares residual beyond d + 1 queries tests the
assumption: a large residual means the target is not linear in these features.

>>> from leakpro.attacks.extraction.equation_solving import EquationSolving
>>> EquationSolving().params.query_source
'synthetic'
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from leakpro.attacks.extraction.base import (
    ExtractionAttack,
    ExtractionParams,
    ExtractionRun,
    QuerySource,
    checkpoints_for,
    make_queries,
    register_extraction_attack,
)
from leakpro.attacks.extraction.surrogate import LinearSurrogate, numeric_queries
from leakpro.data.dataset import Features
from leakpro.game.view import QueryOracle, ThreatModel
from leakpro.targets.logits import log_softmax
from leakpro.targets.protocol import Target

LINEAR_RESIDUAL = 1e-4  # relative RMS residual above which the target is flagged as not linear


class EquationSolvingParams(ExtractionParams):
    budget: int | None = Field(None, ge=2, description="queries to spend; default d + 1 (exactly determined)")
    query_source: QuerySource = Field("synthetic", description="synthetic Gaussians (full rank) or public rows")


def solve_linear(x: np.ndarray, log_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Least-squares (W, b) with log p_i − log p_0 = x·W_i + b_i; and the relative RMS residual."""
    design = np.c_[x.astype(np.float64), np.ones(x.shape[0])]
    rel = log_probs[:, 1:] - log_probs[:, :1]
    sol, *_ = np.linalg.lstsq(design, rel, rcond=None)
    resid = design @ sol - rel
    scale = max(float(np.sqrt(np.mean(rel**2))), 1e-12)
    return sol[:-1], sol[-1], float(np.sqrt(np.mean(resid**2))) / scale


@register_extraction_attack
class EquationSolving(ExtractionAttack):
    name = "equation_solving"
    title = "Equation-solving extraction (linear/logistic)"
    paper = "Tramèr et al., Stealing Machine Learning Models via Prediction APIs, USENIX Security 2016"
    threat_model = "scores of the prediction API (a linear or logistic model), with a query budget"
    Params = EquationSolvingParams

    def run(self, oracle: QueryOracle, pool: Features) -> ExtractionRun:
        p: EquationSolvingParams = self.params  # type: ignore[assignment]
        if oracle.threat_model is not ThreatModel.SCORES:
            raise ValueError("equation solving needs the API's scores (threat model 'scores'); "
                             "with labels only, use the knockoff attack")
        x_pool = numeric_queries(pool)
        d = x_pool.shape[1]
        budget = p.budget or d + 1
        cps = checkpoints_for(p, budget) if p.checkpoints or p.budget else sorted({max(2, budget // 4),
                                                                                    max(2, budget // 2), budget})
        rng = np.random.default_rng(self.random_state)
        queries = make_queries(x_pool, cps[-1], p.query_source, rng)
        before = oracle.queries
        log_probs = log_softmax(oracle.logits(queries))
        surrogates: list[tuple[int, Target]] = []
        residual = 0.0
        for n in cps:
            w, b, residual = solve_linear(queries[:n], log_probs[:n])
            surrogates.append((n, LinearSurrogate(w, b, oracle.n_classes)))
        overdetermined = cps[-1] > d + 1
        derived = {"features": d, "checkpoints": cps, "fit_residual": residual,
                   "looks_linear": (residual <= LINEAR_RESIDUAL) if overdetermined else None}
        return ExtractionRun(surrogates, oracle.queries - before, derived)
