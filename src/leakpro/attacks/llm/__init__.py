"""Membership inference on causal language models: LOSS, zlib, Min-K%, Min-K%++, reference calibration, LiRA,
and canary exposure. Importing the package registers every attack and its catalogue card."""

from leakpro.attacks.llm import canaries, reference, reference_free  # noqa: F401
from leakpro.attacks.llm.base import LMAttack, LMView, get_lm_attack, registered_lm_attacks

__all__ = ["LMAttack", "LMView", "get_lm_attack", "registered_lm_attacks"]
