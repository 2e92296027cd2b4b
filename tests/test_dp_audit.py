"""White-box DP-SGD audit: the bound maths on known answers, and a correct vs a broken DP-SGD at small size."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy import stats

from leakpro.audit.dp_audit import audit_recipe, bounds_from_runs, check_dp_audit, score_every_update
from leakpro.config.recipe import DPSpec, TorchRecipe
from leakpro.config.schema import AuditConfig, DPAuditSpec
from leakpro.metrics.dp_bounds import (
    bound_of,
    calibrated_bound,
    clopper_pearson_epsilon,
    correct_counts,
    fdp_one_run_bound,
    guess_correct,
    guess_sizes,
    multi_run_bound,
    one_run_bound,
)
from leakpro.metrics.fdp_one_run import (
    fdp_epsilon,
    fdp_mu,
    g_epsilon_delta,
    g_gaussian,
    gdp_delta,
    gdp_epsilon,
    rejects,
)
from leakpro.metrics.one_run import one_run_epsilon
from leakpro.training.dp_canaries import (
    PLANTED_BUGS,
    accountant_epsilon,
    dp_optimizer_class,
    privatise_canaries,
    step_llr,
    train_with_canaries,
)

torch.set_num_threads(1)


def test_guess_counts_by_hand():
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.0])
    included = np.array([True, False, True, False, True, False])
    assert guess_correct(scores, included, 1) == 2  # top (5.0, in) right, bottom (0.0, out) right
    assert guess_correct(scores, included, 2) == 2  # 4.0 guessed in (out) and 1.0 guessed out (in): both wrong
    assert guess_correct(scores, included, 3) == 4  # in: 5.0, 3.0 right; out: 2.0, 0.0 right
    assert guess_sizes(1000) == [10, 20, 50, 100, 250, 500]
    assert guess_sizes(10) == [1, 2, 5]


def test_clopper_pearson_epsilon_by_hand():
    # 100 of 100 members flagged, 0 of 100 non-members: each rate at 97.5 %: lower 0.025^(1/100), upper 1 − that
    lo = 0.025 ** (1 / 100)
    assert clopper_pearson_epsilon(100, 100, 0, 100, delta=0.0) == pytest.approx(math.log(lo / (1 - lo)), rel=1e-6)
    assert clopper_pearson_epsilon(50, 100, 50, 100, delta=0.0) == 0.0  # guessing bounds nothing
    # monotone: more true positives raise the bound, more false positives lower it, δ lowers it
    assert clopper_pearson_epsilon(90, 100, 5, 100, delta=0.0) > clopper_pearson_epsilon(80, 100, 5, 100, delta=0.0)
    assert clopper_pearson_epsilon(90, 100, 5, 100, delta=0.0) > clopper_pearson_epsilon(90, 100, 10, 100, delta=0.0)
    assert clopper_pearson_epsilon(90, 100, 5, 100, delta=0.1) < clopper_pearson_epsilon(90, 100, 5, 100, delta=0.0)


def test_one_run_bound_is_the_union_bound_over_guess_sizes():
    rng = np.random.default_rng(0)
    included = rng.random(1000) < 0.5
    scores = included + rng.normal(0, 0.5, 1000)
    bound = one_run_bound(scores, included, delta=1e-5)
    assert bound.tried == 6 and bound.canaries == 1000
    # the reported bound is the one-run bound of its own guesses at level 0.05 / 6
    assert bound.epsilon == pytest.approx(one_run_epsilon(1000, bound.guesses, bound.correct, 1e-5, 1 - 0.05 / 6))
    # without the union bound it would be higher: the correction is not free
    assert one_run_epsilon(1000, bound.guesses, bound.correct, 1e-5, 0.95) > bound.epsilon
    # better separation, higher bound; scores unrelated to inclusion, no bound
    sharper = one_run_bound(included + rng.normal(0, 0.2, 1000), included, delta=1e-5)
    assert sharper.epsilon > bound.epsilon
    assert one_run_bound(rng.normal(size=1000), included, delta=1e-5).epsilon == 0.0


def test_one_run_bound_stays_below_a_known_epsilon_and_comes_near_it():
    """Randomised response with ε = 2 (tie-broken scores): valid at 95 % over 40 repetitions, and not vacuous."""
    eps, m, reps = 2.0, 2000, 40
    rng = np.random.default_rng(1)
    bounds, fdp = [], []
    for _ in range(reps):
        included = rng.random(m) < 0.5
        truthful = rng.random(m) < math.exp(eps) / (1 + math.exp(eps))
        scores = np.where(truthful, included, ~included) + rng.random(m) * 1e-3
        bounds.append(one_run_bound(scores, included, delta=0.0).epsilon)
        fdp.append(fdp_one_run_bound(scores, included, delta=0.0, family="epsilon_delta").epsilon)
    assert sum(b > eps for b in bounds) <= 2  # 5 % of 40 is 2; the union bound makes it rarer still
    assert np.median(bounds) > 1.2
    assert sum(b > eps for b in fdp) <= 2 and np.median(fdp) > 1.2  # the f-DP analysis of the same (ε, 0) curve


def test_one_run_bound_below_epsilon_for_a_simulated_dp_sgd():
    """The audit's every-update score on the exact Gaussian mechanism DP-SGD runs: bounds never above the accountant."""
    q, steps, sigma, m = 0.2, 20, 1.0, 2000
    claim = accountant_epsilon(sigma, q, steps, 1e-5)
    rng = np.random.default_rng(2)
    for _ in range(10):
        included = rng.random(m) < 0.5
        observed = ((rng.random((steps, m)) < q) & included) + rng.normal(0, sigma, (steps, m))
        bound = one_run_bound(score_every_update(observed, q, sigma), included, delta=1e-5).epsilon
        assert 0.3 < bound < claim


def test_multi_run_bound_counts_one_trial_per_run():
    rng = np.random.default_rng(3)
    runs = 200
    included = [rng.random(500) < 0.5 for _ in range(runs)]
    separated = [inc * 10.0 + rng.normal(size=500) for inc in included]
    strong = multi_run_bound(separated, included, delta=1e-5)
    assert strong.positives + strong.negatives == runs and strong.fpr_level == 1 / runs
    # the threshold is the top 0.5 % of a run's other out-canaries: an out-canary passes it about 1 run in 200
    assert strong.true_positives == strong.positives and strong.false_positives <= 3
    assert strong.epsilon > 2.0
    null = multi_run_bound([rng.normal(size=500) for _ in range(runs)], included, delta=1e-5)
    assert null.epsilon == 0.0


def _recipe(epsilon: float = 1.0) -> TorchRecipe:
    return TorchRecipe(model="logistic", optimizer="sgd", lr=0.5, momentum=0.0, epochs=2, batch_size=100,
                       dp=DPSpec(target_epsilon=epsilon, max_grad_norm=1.0))


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(500, 5)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


def test_correct_recipe_keeps_its_claim_and_a_noise_bug_is_caught():
    x, y = _data()
    spec = DPAuditSpec(canaries=1000)
    correct = audit_recipe("target", _recipe(), x, y, 2, spec, seed=0)
    assert correct.steps == 10 and correct.sample_rate == pytest.approx(0.2)
    assert correct.claimed_epsilon == pytest.approx(1.0, abs=0.02)
    assert not correct.claim_violated
    assert all(b.epsilon_lower_bound <= correct.claimed_epsilon for b in correct.bounds)
    broken = audit_recipe("target", _recipe(), x, y, 2, spec, seed=0, mechanism=PLANTED_BUGS["noise_10x_small"])
    assert broken.claimed_epsilon == pytest.approx(correct.claimed_epsilon)  # the claim does not see the bug
    assert broken.claim_violated
    assert max(b.epsilon_lower_bound for b in broken.bounds) > 1.5 * broken.claimed_epsilon
    assert any("every update" in a or "every_update" in a for a in broken.assumptions)


def test_skipped_clipping_shows_only_with_canaries_above_the_clipping_norm():
    """A Dirac canary of norm C is unchanged by clipping; of norm 10·C it passes a broken recipe unclipped."""
    x, y = _data()
    for norm, caught in ((1.0, False), (10.0, True)):
        run = train_with_canaries(_recipe(), x, y, 2, canaries=300, canary_norm=norm, seed=5,
                                  mechanism=PLANTED_BUGS["no_clipping"], record_steps=True)
        same = train_with_canaries(_recipe(), x, y, 2, canaries=300, canary_norm=norm, seed=5, record_steps=True)
        assert np.allclose(run.observed, same.observed, atol=1e-3) is not caught
        assert any(b.claim_violated for b in bounds_from_runs([run], 0.95)) is caught


def test_observed_updates_are_noise_plus_sampled_canaries():
    """In units of C, a canary coordinate is (number of the canary's sampled steps) + N(0, σ²) per step."""
    x, y = _data()
    run = train_with_canaries(_recipe(), x, y, 2, canaries=2000, canary_norm=10.0, seed=6, record_steps=True)
    assert run.observed is not None
    # the score accumulated during training is the audit's score of the recorded steps
    assert np.allclose(run.update_score, score_every_update(run.observed, run.sample_rate, run.noise_multiplier))
    out = run.observed[:, ~run.included]
    assert abs(out.mean()) < 0.05 and out.std() == pytest.approx(run.noise_multiplier, rel=0.03)
    in_mean = run.observed[:, run.included].mean()
    assert in_mean == pytest.approx(run.sample_rate, abs=0.05)


@pytest.mark.parametrize("clipping", ["per_sample", "none", "per_batch"])
def test_canary_block_is_privatised_as_opacus_would_a_dense_block(clipping):
    """Beside the model (no per-sample rows) or as Opacus's last parameter (dense rows): the same gradients."""
    m, size, sampled = 50, 10.0, torch.tensor([3, 7, 20])
    rows = torch.zeros(3, m)
    rows[torch.arange(3), sampled] = size
    records = torch.randn(4, 2, generator=torch.Generator().manual_seed(0))

    def optimiser(params: list[torch.nn.Parameter]):  # type: ignore[no-untyped-def]
        return dp_optimizer_class(clipping)(torch.optim.SGD(params, lr=1.0), noise_multiplier=0.7, max_grad_norm=1.0,
                                            expected_batch_size=5, generator=torch.Generator().manual_seed(1))

    model, block = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(m))
    dense = optimiser([model, block])
    model.grad_sample = torch.cat([records, torch.zeros(3, 2)])  # type: ignore[attr-defined]
    block.grad_sample = torch.cat([torch.zeros(4, m), rows])  # type: ignore[attr-defined]
    dense.step()
    alone = torch.nn.Parameter(torch.zeros(2))
    split = optimiser([alone])
    alone.grad_sample = records  # type: ignore[attr-defined]
    split.extra_sq_norm = 3 * size**2  # type: ignore[attr-defined]
    split.step()
    assert alone.grad is not None and block.grad is not None and model.grad is not None
    assert torch.allclose(alone.grad, model.grad, atol=1e-6)
    assert torch.allclose(privatise_canaries(sampled, m, size, split, clipping), block.grad, atol=1e-6)


def test_dp_audit_needs_a_trained_dp_target():
    base = {"data": {"builtin": "adult"}, "target": {"kind": "torch", "train": True, "recipe": {"epochs": 1}},
            "dp_audit": {"canaries": 100}}
    issues: list = []
    check_dp_audit(AuditConfig.model_validate(base), issues)
    assert [i.field for i in issues] == ["dp_audit"] and "no DP recipe" in issues[0].problem
    issues = []
    with_dp = {**base, "target": {**base["target"], "recipe": {"epochs": 1, "dp": {"target_epsilon": 2.0}}}}
    check_dp_audit(AuditConfig.model_validate(with_dp), issues)
    assert issues == []
    issues = []
    check_dp_audit(AuditConfig.model_validate({**with_dp, "target": {**with_dp["target"], "train": False}}), issues)
    assert len(issues) == 1


def test_monotone_in_correct_guesses():
    values = [one_run_epsilon(1000, 100, v, 1e-5) for v in range(50, 101, 5)]
    assert all(a <= b for a, b in itertools.pairwise(values)) and values[0] == 0.0
    assert stats.binom.sf(99, 100, 0.5) < 0.05  # 100 of 100 correct is far from chance


def test_fdp_single_canary_is_the_exact_bayes_accuracy():
    """m = k = 1: one guess is right with probability at most Φ(μ/2) under μ-GDP, (e^ε + δ)/(1 + e^ε) under (ε, δ)."""
    mu, eps, delta = 1.3, 1.0, 0.01
    best_gdp = stats.norm.cdf(mu / 2)
    assert rejects(1, 1, 1, g_gaussian(mu), best_gdp + 1e-6) and not rejects(1, 1, 1, g_gaussian(mu), best_gdp - 1e-6)
    best_dp = (math.exp(eps) + delta) / (1 + math.exp(eps))
    g = g_epsilon_delta(eps, delta)
    assert rejects(1, 1, 1, g, best_dp + 1e-6) and not rejects(1, 1, 1, g, best_dp - 1e-6)
    # read the other way: one right guess rejects μ-GDP at level 1 − c for μ < 2·Φ⁻¹(1 − c)
    assert fdp_mu(1, 1, 1, confidence=0.05) == pytest.approx(2 * stats.norm.ppf(0.95), abs=1e-4)
    assert fdp_mu(1, 1, 1, confidence=0.95) == 0.0


def test_gdp_conversion_by_hand():
    # δ(0) = Φ(μ/2) − Φ(−μ/2); the conversion inverts; a Gaussian step's ε is below the RDP accountant's
    assert gdp_delta(1.0, 0.0) == pytest.approx(2 * stats.norm.cdf(0.5) - 1)
    eps = gdp_epsilon(1.0, 1e-5)
    assert gdp_delta(1.0, eps) == pytest.approx(1e-5, rel=1e-6) and 4.0 < eps < 5.0
    sigma, steps = 2.593, 5
    assert gdp_epsilon(math.sqrt(steps) / sigma, 1e-5) < accountant_epsilon(sigma, 1.0, steps, 1e-5)
    assert gdp_epsilon(0.0, 1e-5) == 0.0 and gdp_epsilon(1e-6, 1e-5) == 0.0


def test_fdp_bounds_are_monotone():
    for family in ("epsilon_delta", "gaussian"):
        values = [fdp_epsilon(2000, 200, v, family=family, delta=1e-5) for v in range(100, 201, 10)]
        assert all(a <= b for a, b in itertools.pairwise(values)) and values[0] == 0.0 and values[-1] > 2
        # a stricter confidence gives a lower bound
        assert fdp_epsilon(2000, 200, 180, family=family, delta=1e-5, confidence=0.99) < values[8]
    # the same 190 of 200 picked among more canaries is less surprising under μ-GDP (its likelihood ratio is
    # unbounded, so the most confident of many canaries are right more often): the μ bound falls with m
    mus = [fdp_mu(m, 200, 190) for m in (200, 1000, 5000)]
    assert all(a > b for a, b in itertools.pairwise(mus))


def test_fdp_at_least_as_tight_as_steinke_where_delta_per_canary_bites():
    """Many canaries: Steinke's δ term grows with m, the f-DP curve's does not."""
    m, k, v = 100_000, 1000, 900
    steinke = one_run_epsilon(m, k, v, 1e-5)
    fdp = fdp_epsilon(m, k, v, family="epsilon_delta", delta=1e-5)
    assert fdp > steinke + 0.05
    # with δ = 0 both analyse ε-DP: Steinke's binomial is exact there, the f-DP recursion close behind
    assert fdp_epsilon(m, k, v, family="epsilon_delta", delta=0.0) == pytest.approx(one_run_epsilon(m, k, v, 0.0),
                                                                                    abs=0.05)


def test_fdp_bounds_valid_on_the_exact_gaussian_mechanism():
    """Each canary seen through N(μ·S_i, 1): exactly μ-GDP. μ̂ ≤ μ (and ε̂ ≤ ε(μ, δ)) in ≥ 95 % of 40 runs."""
    mu, m, reps, delta = 2.0, 2000, 40, 1e-5
    true_eps = gdp_epsilon(mu, delta)
    rng = np.random.default_rng(7)
    mus, eps_dp = [], []
    for _ in range(reps):
        included = rng.random(m) < 0.5
        scores = mu * included + rng.normal(size=m)
        gdp = fdp_one_run_bound(scores, included, delta=delta, family="gaussian")
        assert gdp.mu is not None and gdp.epsilon == pytest.approx(gdp_epsilon(gdp.mu, delta))
        mus.append(gdp.mu)
        eps_dp.append(fdp_one_run_bound(scores, included, delta=delta, family="epsilon_delta").epsilon)
    assert sum(x > mu for x in mus) <= 2 and sum(e > true_eps for e in eps_dp) <= 2
    assert np.median(mus) > 0.5 * mu  # not vacuous (one run with 2,000 canaries reaches about 0.6 μ)


def test_fdp_bounds_below_the_accountant_for_a_simulated_dp_sgd():
    """Poisson-subsampled and full-batch Gaussian steps scored as the audit does: below the accountant's ε."""
    rng = np.random.default_rng(8)
    for q, steps, sigma in ((0.2, 20, 1.0), (1.0, 5, 2.0)):
        claim = accountant_epsilon(sigma, q, steps, 1e-5)
        for _ in range(5):
            included = rng.random(2000) < 0.5
            observed = ((rng.random((steps, 2000)) < q) & included) + rng.normal(0, sigma, (steps, 2000))
            scores = score_every_update(observed, q, sigma)
            for family in ("epsilon_delta", "gaussian"):
                assert 0.3 < fdp_one_run_bound(scores, included, delta=1e-5, family=family).epsilon < claim
        if q == 1.0:  # T Gaussian steps are exactly √T/σ-GDP: the μ bound stays below it
            assert fdp_one_run_bound(scores, included, delta=1e-5, family="gaussian").mu < math.sqrt(steps) / sigma


def test_calibrated_bound_tests_one_choice_on_the_canaries_it_did_not_calibrate_on():
    rng = np.random.default_rng(9)
    included = rng.random(4000) < 0.5
    scores = included + rng.normal(0, 0.5, 4000)
    bound = calibrated_bound(scores, included, delta=1e-5, method="epsilon_delta")
    assert bound.tried == 1 and bound.calibration == 1000 and bound.canaries == 3000
    # the reported bound is the analysis of its own guesses among the 3,000 test canaries at the full level
    test_scores, test_included = scores[1000:], included[1000:]
    k = bound.guesses if bound.in_only else bound.guesses // 2
    assert correct_counts(test_scores, test_included, [k], bound.in_only)[0] == bound.correct
    assert bound.epsilon == pytest.approx(bound_of("epsilon_delta", 3000, bound.guesses, bound.correct, delta=1e-5,
                                                   confidence=0.95, in_only=bound.in_only)[0])
    assert calibrated_bound(rng.normal(size=4000), included, delta=1e-5, method="epsilon_delta").epsilon == 0.0


def test_in_only_guesses_valid_on_randomised_response():
    """Only "in" guesses (the analysis with m/2): below ε = 2 in ≥ 95 % of 40 repetitions, and not vacuous."""
    eps, m, reps = 2.0, 2000, 40
    rng = np.random.default_rng(10)
    bounds = []
    for _ in range(reps):
        included = rng.random(m) < 0.5
        truthful = rng.random(m) < math.exp(eps) / (1 + math.exp(eps))
        scores = np.where(truthful, included, ~included) + rng.random(m) * 1e-3
        v = correct_counts(scores, included, [400], in_only=True)[0]
        bounds.append(bound_of("epsilon_delta", m, 400, v, delta=0.0, confidence=0.95, in_only=True)[0])
    assert sum(b > eps for b in bounds) <= 2 and np.median(bounds) > 1.0


def test_calibrated_bounds_valid_on_the_exact_gaussian_mechanism():
    """μ-GDP per canary: every calibrated bound at or below the truth in ≥ 95 % of 40 runs (2 allowed above)."""
    mu, m, reps, delta = 2.0, 4000, 40, 1e-5
    true_eps = gdp_epsilon(mu, delta)
    rng = np.random.default_rng(11)
    above = {"epsilon_delta": 0, "gaussian": 0}  # Steinke's (slow) on a simulated DP-SGD below
    mus = []
    for _ in range(reps):
        included = rng.random(m) < 0.5
        scores = mu * included + rng.normal(size=m)
        for method in above:
            bound = calibrated_bound(scores, included, delta=delta, method=method)
            above[method] += bound.epsilon > true_eps
            if bound.mu is not None:
                mus.append(bound.mu)
    assert all(n <= 2 for n in above.values()) and sum(x > mu for x in mus) <= 2
    assert np.median(mus) > 0.4 * mu


def test_calibration_beats_the_union_bound_with_many_canaries():
    """At large m the (ε, δ) analysis pays about δ·m / level: one test at the full level gets further."""
    rng = np.random.default_rng(12)
    included = rng.random(50_000) < 0.5
    scores = 0.86 * included + rng.normal(size=50_000)  # full-batch DP-SGD at ε ≈ 4 (μ = √5 / 2.59)
    union = fdp_one_run_bound(scores, included, delta=1e-5, family="epsilon_delta", confidence=1 - 0.05 / 6)
    calibrated = calibrated_bound(scores, included, delta=1e-5, method="epsilon_delta", confidence=1 - 0.05 / 6)
    assert calibrated.epsilon > union.epsilon + 0.2 and calibrated.epsilon > 1.8


def test_calibrated_bounds_below_the_accountant_for_a_simulated_dp_sgd():
    """Poisson-subsampled and full-batch Gaussian steps, accumulated as training does: below the accountant's ε."""
    rng = np.random.default_rng(13)
    for q, steps, sigma in ((0.2, 20, 1.0), (1.0, 5, 2.0)):
        claim = accountant_epsilon(sigma, q, steps, 1e-5)
        for _ in range(3):
            included = rng.random(4000) < 0.5
            score = torch.zeros(4000, dtype=torch.float64)
            for _t in range(steps):
                x = ((rng.random(4000) < q) & included) + rng.normal(0, sigma, 4000)
                score += step_llr(torch.as_tensor(x), q, sigma)
            for method in ("steinke", "epsilon_delta", "gaussian"):
                assert 0.3 < calibrated_bound(score.numpy(), included, delta=1e-5, method=method).epsilon < claim


def test_a_refused_target_train_does_not_also_blame_dp_audit():
    """target.train refused: checked again at its default (false), dp_audit's "retrains" is only a consequence."""
    from leakpro.audit.plan import parse_config
    from leakpro.config.errors import ConfigError

    raw = {"data": {"builtin": "adult"}, "target": {"kind": "torch", "train": "maybe",
                                                    "recipe": {"epochs": 1, "dp": {"target_epsilon": 2.0}}},
           "dp_audit": {"canaries": 100}}
    with pytest.raises(ConfigError) as err:
        parse_config(raw)
    fields = [i.field for i in err.value.issues]
    assert "target.train" in fields and "dp_audit" not in fields
