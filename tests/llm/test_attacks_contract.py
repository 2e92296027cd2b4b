"""Every registered LM attack on a planted leak (members' tokens likelier, and likelier only under the target) and
on a null case (members and non-members drawn alike): the planted AUC interval lies above 0.5, the null holds 0.5.
No training: the per-token signals are simulated, so this checks each attack's maths, fast."""

from __future__ import annotations

import numpy as np
import pytest

from leakpro.attacks.llm import LMView, get_lm_attack, registered_lm_attacks
from leakpro.attacks.llm.reference import lira_online, random_halves
from leakpro.metrics.summary import membership_metrics
from leakpro.signals.lm import log_prob_per_char
from leakpro.targets.causal_lm import TokenLogProbs

N = 400
P = 200


def _view(planted: bool, seed: int) -> tuple[LMView, np.ndarray]:
    rng = np.random.default_rng(seed)
    members = rng.permutation(N) < N // 2
    lengths = rng.integers(8, 30, N)
    words = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta"]
    texts = tuple(" ".join(rng.choice(words, n)) for n in lengths)
    ease = rng.normal(0, 0.5, N)  # some texts are simply easy, under every model
    logp, mu, sd = [], [], []
    for i, n in enumerate(lengths):
        bump = 0.8 if planted and members[i] else 0.0
        logp.append(-2.5 + ease[i] + bump + rng.normal(0, 0.8, n))
        mu.append(np.full(n, -2.5 + ease[i]))
        sd.append(np.full(n, 1.0))
    offsets = np.r_[0, np.cumsum(lengths)]
    chars = np.array([len(t) for t in texts])
    target = TokenLogProbs(np.concatenate(logp), np.concatenate(mu), np.concatenate(sd), offsets, chars)
    base = log_prob_per_char(TokenLogProbs(np.concatenate(mu), np.concatenate(mu), np.concatenate(sd), offsets, chars))
    reference = base + rng.normal(0, 0.01, N)
    masks = random_halves(N, 4, np.random.default_rng(seed + 1))
    per_char_bump = 0.8 * lengths / chars
    lira = np.stack([base + m * per_char_bump + rng.normal(0, 0.01, N) for m in masks])
    # offline: 4 reference LMs on random halves of P population texts, none on a candidate
    pop_base = rng.normal(-2.5, 0.5, P) / 4
    pop_in = random_halves(P, 4, np.random.default_rng(seed + 2))
    pop = np.stack([pop_base + m * 0.2 + rng.normal(0, 0.01, P) for m in pop_in])
    offline = np.stack([base + rng.normal(0, 0.01, N) for _ in range(4)])
    return LMView(texts, target, reference, lira, masks, offline, pop, pop_in), members


@pytest.mark.parametrize("name", sorted(registered_lm_attacks()))
def test_attack_catches_a_planted_leak_and_holds_on_the_null(name: str) -> None:
    for seed in (0, 1):
        view, members = _view(planted=True, seed=seed)
        auc = membership_metrics(get_lm_attack(name)(random_state=0).run(view), members)["auc"]
        assert auc.low > 0.5, (name, "planted", auc)
        view, members = _view(planted=False, seed=seed)
        auc = membership_metrics(get_lm_attack(name)(random_state=0).run(view), members)["auc"]
        assert auc.low < 0.5 < auc.high, (name, "null", auc)


def test_attacks_refuse_a_view_without_their_reference_signals() -> None:
    view, _ = _view(planted=True, seed=0)
    bare = LMView(view.texts, view.target)
    for name in ("reference", "lira", "rmia_offline"):
        with pytest.raises(ValueError, match="needs"):
            get_lm_attack(name)().run(bare)
    with pytest.raises(KeyError, match="did you mean 'min_k'"):
        get_lm_attack("min_kk")


def test_rmia_is_the_ratio_to_the_mean_reference_likelihood() -> None:
    from leakpro.attacks.llm.reference import rmia_log_ratio

    refs = np.log(np.array([[0.2, 0.5], [0.6, 0.5]]))
    np.testing.assert_allclose(rmia_log_ratio(np.log([0.8, 0.5]), refs), np.log([0.8 / 0.4, 1.0]))


def test_lira_scores_follow_the_likelihood_ratio() -> None:
    masks = np.array([[True, False], [False, True], [True, False], [False, True]])
    signals = np.array([[1.0, 0.0], [0.0, 1.0], [1.2, 0.2], [0.2, 1.2]])
    scores = lira_online(np.array([1.1, 0.1]), signals, masks)
    assert scores[0] > 0 > scores[1]  # text 0 looks like the references that trained on it, text 1 like those not


def test_offline_rmia_tunes_a_on_the_population_references_only() -> None:
    view, _ = _view(planted=True, seed=0)
    attack = get_lm_attack("rmia_offline")()
    attack.run(view)
    derived = attack.derived()
    assert str(derived["a_source"]).startswith("tuned on reference models") and 0 <= float(derived["a"]) <= 1
    fixed = get_lm_attack("rmia_offline")(offline_a=0.3)
    fixed.run(view)
    assert fixed.derived() == {"a": 0.3, "a_source": "set in the config (offline_a)"}
    # the tuning reads the population references only: the secret and the target cannot move it
    again = get_lm_attack("rmia_offline")()
    again.run(LMView(view.texts, _view(planted=False, seed=5)[0].target, *[getattr(view, f) for f in (
        "reference", "lira_signals", "lira_in", "offline_signals", "offline_population", "offline_population_in")]))
    assert again.derived() == derived
