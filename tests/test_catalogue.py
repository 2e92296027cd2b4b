"""One registry shape for every family, and one catalogue of every attack that ``leakpro attacks`` lists."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from leakpro.attacks.catalogue import FAMILIES, AttackCard
from leakpro.cli.app import app
from leakpro.commands.catalogue import every_attack
from leakpro.registry import Registry


def test_registry_refuses_a_name_twice_and_names_the_known_ones() -> None:
    reg: Registry[int] = Registry("widget")
    reg.add("beta", 2)
    reg.register("alpha")(1)
    assert reg.names() == ["alpha", "beta"] and reg.values() == [2, 1] and list(reg.items()) == ["alpha", "beta"]
    assert "alpha" in reg and len(reg) == 2 and reg.get("beta") == 2
    with pytest.raises(ValueError, match="widget 'beta' is registered twice"):
        reg.add("beta", 3)
    assert reg.get("beta") == 2  # the refused registration left the first one in place
    with pytest.raises(KeyError, match=r"unknown widget 'alpah' \(did you mean 'alpha'\?\); known: alpha, beta"):
        reg.get("alpah")


def test_a_card_needs_a_known_family_and_reads_its_parameters() -> None:
    with pytest.raises(ValueError, match="unknown family 'membrship'"):
        AttackCard(family="membrship", name="x", title="x", threat_model="scores", paper="p")

    def attack(*, steps: int = 3, target: str, random_state: int = 0) -> None: ...

    card = AttackCard(family="DP auditing", name="x", title="x", threat_model="white box", paper="p", params=attack)
    assert card.parameters() == {"steps": 3, "target": ...}  # random_state is every attack's, not a setting
    assert card.question == FAMILIES["DP auditing"]


def test_every_family_is_in_the_catalogue_with_question_threat_model_and_paper() -> None:
    cards = every_attack()
    assert {c.family for c in cards} == set(FAMILIES)
    order = [list(FAMILIES).index(c.family) for c in cards]
    assert order == sorted(order)  # listed family by family, in the order of FAMILIES
    for card in cards:
        assert card.title and card.question and card.threat_model and card.paper, card
        card.parameters()  # every card's settings can be read


def test_every_family_registry_has_its_cards() -> None:
    """An attack registered in its family but missing from the catalogue (or the reverse) fails here."""
    from leakpro.attacks.extraction import EXTRACTION_ATTACKS
    from leakpro.attacks.membership.base import registered_attacks
    from leakpro.federated.attacks.base import registered_server_attacks

    by_family: dict[str, set[str]] = {}
    for card in every_attack():
        by_family.setdefault(card.family, set()).add(card.name)
    assert by_family["membership"] == set(registered_attacks())
    assert by_family["gradient inversion"] == set(registered_server_attacks())
    assert by_family["model extraction"] == set(EXTRACTION_ATTACKS.names())
    lira = next(c for c in every_attack() if c.key == "membership/lira")
    assert lira.parameters()["reference_models"] == registered_attacks()["lira"].Params().reference_models


def test_leakpro_attacks_lists_every_attack_of_every_family() -> None:
    result = CliRunner().invoke(app, ["attacks"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for family, question in FAMILIES.items():
        assert f"{family} — {question}" in out
    for card in every_attack():
        row = next((line for line in out.splitlines() if re.match(rf"│ {re.escape(card.name)} +│", line)), None)
        assert row is not None, card.name
        assert card.paper[:20] in out and card.threat_model[:20] in out
