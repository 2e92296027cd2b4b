"""Adapters for the models under audit, behind one small protocol (:class:`Target`)."""

from leakpro.targets.protocol import Target

__all__ = ["Target"]
