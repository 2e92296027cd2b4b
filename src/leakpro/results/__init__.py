"""Typed, frozen, serialisable audit results: the JSON is the source of truth for every report."""

from leakpro.results.types import AttackResult, AuditResult, Interval, OperatingPointResult, TargetResult

__all__ = ["AttackResult", "AuditResult", "Interval", "OperatingPointResult", "TargetResult"]
