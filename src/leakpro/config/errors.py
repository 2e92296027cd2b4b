"""Config problems, all reported at once: the field, the problem, what was received, and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    field: str
    problem: str
    fix: str
    received: str | None = None

    def __str__(self) -> str:
        got = f" (got {self.received})" if self.received is not None else ""
        return f"{self.field}: {self.problem}{got}. Fix: {self.fix}"


class ConfigError(ValueError):
    """One or more config problems; ``issues`` lists every one of them."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        lines = "\n".join(f"  - {i}" for i in issues)
        super().__init__(f"the audit config has {len(issues)} problem(s):\n{lines}")
