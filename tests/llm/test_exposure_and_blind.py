"""Exposure maths on known answers; the blind baseline on a random split (holds 0.5) and on a deliberately shifted
split (members from one fortune file, non-members from another: flagged)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leakpro.attacks.llm.canaries import make_canaries, training_copies
from leakpro.audit.llm_blind import blind_baseline
from leakpro.commands.llm_demo import shifted_split
from leakpro.data.fortunes import load_fortunes
from leakpro.metrics.exposure import empirical_exposure, extrapolated_exposure, mean_interval
from leakpro.results.types import Interval


def test_exposure_of_an_unseen_secret_averages_one_over_ln2() -> None:
    rng = np.random.default_rng(0)
    values = []
    for _ in range(300):
        sample = rng.normal(10, 1, 1001)
        values.append(empirical_exposure(sample[0], sample[1:]))
    assert abs(np.mean(values) - 1 / math.log(2)) < 0.15


def test_exposure_extrapolates_where_the_rank_is_capped() -> None:
    rng = np.random.default_rng(1)
    sample = rng.normal(10, 1, 2000)
    canary = 10 - 4.0  # 4 sd likelier: P = Φ(−4) ≈ 3.2e-5, exposure ≈ 14.9 bits
    assert empirical_exposure(canary, sample) == pytest.approx(math.log2(2001), abs=1e-9)
    assert extrapolated_exposure(canary, sample, 19.93) == pytest.approx(-math.log2(3.17e-5), abs=0.8)
    assert extrapolated_exposure(0.0, sample, 19.93) == pytest.approx(19.93)  # capped at log2 |R|
    # inside the sampled range both estimates agree
    assert extrapolated_exposure(8.5, sample, 19.93) == pytest.approx(empirical_exposure(8.5, sample), abs=0.3)


def test_mean_interval_is_a_t_interval() -> None:
    mean, low, high = mean_interval(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0 and low == pytest.approx(2 - 4.303 / math.sqrt(3), abs=1e-3) and high == pytest.approx(4 - low)


def test_canaries_have_distinct_prefixes_and_repeat_as_asked() -> None:
    c = make_canaries("the secret number", 6, {0: 2, 3: 2}, np.random.default_rng(0))
    assert len({x.prefix for x in c}) == 4 and [x.repetitions for x in c] == [0, 0, 3, 3]
    assert len(training_copies(c)) == 6 and all(len(x.secret.split()) == 6 for x in c)


def test_blind_baseline_holds_half_on_random_splits() -> None:
    texts = load_fortunes()["text"].tolist()
    for seed in (0, 1, 2):
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(texts), 400, replace=False)
        members = rng.permutation(400) < 200
        out = blind_baseline([texts[i] for i in idx], members, random_state=seed)
        assert out.auc.low < 0.5 < out.auc.high, out.auc
        assert not out.shifted and not out.matches_attacks


def test_blind_baseline_is_flagged_on_a_shifted_split_and_explains_matching_attacks() -> None:
    texts, members = shifted_split(seed=0)
    weak_attack = Interval(value=0.7, low=0.65, high=0.75, method="delong")
    out = blind_baseline(texts, members, random_state=0, best_attack=weak_attack)
    assert out.shifted and out.auc.low > 0.75, out.auc
    assert out.matches_attacks and "the split, not the model, is leaking" in out.verdict



def test_a_partly_shifted_split_is_flagged_but_attacks_above_it_are_not_explained_by_it() -> None:
    frame = load_fortunes()
    rng = np.random.default_rng(0)
    a = rng.choice(frame.loc[frame["source"] == "computers", "text"].to_numpy(), 180, replace=False)
    b = rng.choice(frame.loc[frame["source"] == "literature", "text"].to_numpy(), 180, replace=False)
    texts = [*a[:150], *b[:30], *a[150:], *b[30:]]  # members 5/6 computers, non-members 5/6 literature
    members = np.r_[np.ones(180), np.zeros(180)].astype(bool)
    strong_attack = Interval(value=0.999, low=0.998, high=1.0, method="delong")
    out = blind_baseline(texts, members, random_state=0, best_attack=strong_attack)
    assert out.shifted and out.auc.high < 0.95, out.auc
    assert not out.matches_attacks and "part of their signal may be the split" in out.verdict


def test_cli_lists_the_lm_attacks_and_the_corpus_with_its_licence() -> None:
    from typer.testing import CliRunner

    from leakpro.cli.app import app

    res = CliRunner().invoke(app, ["attacks"], env={"COLUMNS": "250"})
    assert res.exit_code == 0 and "language-model membership" in res.output
    for title in ("Min-K%++", "zlib ratio", "Canary exposure", "LiRA (reference LMs"):
        assert title in res.output, title
    res = CliRunner().invoke(app, ["datasets"], env={"COLUMNS": "250"})
    assert res.exit_code == 0 and "fortunes" in res.output and "BSD" in res.output
