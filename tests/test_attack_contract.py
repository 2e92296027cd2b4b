"""A contract every registered membership attack must honour."""

from __future__ import annotations

import doctest
import importlib
import json
import re
import sys

import numpy as np
import pytest
from pydantic import ValidationError
from sklearn.linear_model import LogisticRegression

from leakpro.attacks.membership.base import MembershipAttack, registered_attacks
from leakpro.audit.reference_bank import ReferenceBank
from leakpro.data.registry import builtin_datasets
from leakpro.game.challenger import MembershipGame
from leakpro.game.view import AttackerView, QueryOracle, ThreatModel, ThreatModelViolation
from leakpro.targets.trainers import SklearnTrainer

ATTACKS = sorted(registered_attacks())


@pytest.fixture(scope="module")
def small_game():
    ds = builtin_datasets()["adult"].load()
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(ds))
    members = np.zeros(400, dtype=bool)
    members[:200] = True
    game = MembershipGame(ds, np.sort(perm[:400]), rng.permutation(members), np.sort(perm[400:700]))
    trainer = SklearnTrainer(LogisticRegression(max_iter=300), ds.n_classes)
    target = trainer.fit(ds.subset(game.member_indices()).features, ds.labels[game.member_indices()], 0)
    bank = ReferenceBank(game.attacker_records(), game.n_candidates, trainer, seed=0, cache_dir=None)
    return game, target, bank


def _view(small_game, threat: ThreatModel) -> AttackerView:
    game, target, bank = small_game
    return AttackerView(threat, game.attacker_records(), game.n_candidates, QueryOracle(target, threat),
                        bank.signals, seed=0)


def _small(cls: type[MembershipAttack]) -> MembershipAttack:
    fields = cls.Params.model_fields
    params = {"reference_models": 2} if "reference_models" in fields else {}
    if "max_iter" in fields:
        params["max_iter"] = 20
    return cls(random_state=1, **params)


@pytest.mark.parametrize("name", ATTACKS)
def test_declares_itself(name):
    cls = registered_attacks()[name]
    assert cls.name == name and cls.title and re.search(r"\b(19|20)\d\d\b", cls.paper)
    assert cls.threat_models and cls.threat_models <= set(ThreatModel)
    # documented where a reader looks (the class, else its module): the paper's first author and the threat
    # model it declares, in words
    doc = cls.__doc__ or sys.modules[cls.__module__].__doc__ or ""
    assert cls.paper.split()[0] in doc, f"{name}: the docstring does not name {cls.paper.split()[0]}"
    assert "Threat model" in doc, f"{name}: the docstring does not state its threat model"
    for threat in cls.threat_models:
        assert threat.value in doc.split("Threat model", 1)[1], f"{name}: threat model {threat.value!r} not stated"


@pytest.mark.parametrize("module", sorted({registered_attacks()[n].__module__ for n in ATTACKS}
                                          | {"leakpro.attacks.membership.features"}))
def test_docstring_examples_run(module):
    failed, _ = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert failed == 0


@pytest.mark.parametrize("name", ATTACKS)
def test_rejects_unknown_parameters(name):
    with pytest.raises(ValidationError, match="extra"):
        registered_attacks()[name](not_a_parameter=1)


@pytest.mark.parametrize("name", ATTACKS)
def test_scores_every_candidate_deterministically(name, small_game):
    cls = registered_attacks()[name]
    threat = ThreatModel.SCORES if ThreatModel.SCORES in cls.threat_models else ThreatModel.LABELS
    first = _small(cls).run(_view(small_game, threat))
    second = _small(cls).run(_view(small_game, threat))
    assert first.shape == (400,) and np.isfinite(first).all()
    assert np.array_equal(first, second)


@pytest.mark.parametrize("name", ATTACKS)
def test_records_derived_values_as_json(name, small_game):
    """What an attack chose itself (attributes ending in ``_``, copied into results.json) must serialise,
    and a tuned or fallen-back setting must say so: RMIA offline names where its ``a`` came from."""
    cls = registered_attacks()[name]
    threat = ThreatModel.SCORES if ThreatModel.SCORES in cls.threat_models else ThreatModel.LABELS
    attack = _small(cls)
    if name == "rmia":
        attack = cls(random_state=1, reference_models=2, mode="offline")
    attack.run(_view(small_game, threat))
    derived = {k: v for k, v in vars(attack).items() if k.endswith("_") and not k.startswith("_")}
    assert json.loads(json.dumps(derived)) == derived
    if name == "rmia":
        assert derived["a_"] == 0.5 and derived["a_source_"].startswith("default 0.5, not tuned")
    if name == "lira":
        assert set(derived) == {"variance_", "variance_records_", "pooled_variance_from_"}


@pytest.mark.parametrize("name", ATTACKS)
def test_respects_the_threat_model(name, small_game):
    cls = registered_attacks()[name]
    view = _view(small_game, ThreatModel.LABELS)
    if ThreatModel.LABELS in cls.threat_models:
        _small(cls).run(view)  # must not ask for scores: the oracle would raise
        assert view.oracle.queries > 0
    else:
        with pytest.raises(ValueError, match="threat model"):
            _small(cls).run(view)


def test_oracle_refuses_scores_under_label_only(small_game):
    view = _view(small_game, ThreatModel.LABELS)
    with pytest.raises(ThreatModelViolation):
        view.target_logits()
