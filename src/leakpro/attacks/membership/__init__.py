"""Membership-inference attacks; importing this package registers every one of them."""

from leakpro.attacks.membership import (  # noqa: F401
    gap,
    label_only,
    lira,
    loss,
    population,
    qmia,
    reference,
    rmia,
    shadow,
)
from leakpro.attacks.membership.base import MembershipAttack, get_attack, registered_attacks

__all__ = ["MembershipAttack", "get_attack", "registered_attacks"]
