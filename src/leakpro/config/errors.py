"""Config problems, all reported at once: the field, the problem, what was received, and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    field: str
    problem: str
    fix: str
    received: str | None = None
    needs_trust: bool = False  # trust (``target.trust: true``, ``--trust``) would lift it: importing code, pickles

    def __str__(self) -> str:
        got = f" (got {self.received})" if self.received is not None else ""
        return f"{self.field}: {self.problem}{got}. Fix: {self.fix}"


class ConfigError(ValueError):
    """One or more config problems; ``issues`` lists every one of them.

    ``notes`` say which checks could not run because they depend on a field with a problem (they run once it
    is fixed), so a fixed config does not surprise with problems that were there all along.
    """

    def __init__(self, issues: list[ConfigIssue], notes: Sequence[str] = ()) -> None:
        self.issues = issues
        self.notes = tuple(notes)
        lines = "\n".join(f"  - {i}" for i in issues)
        later = "".join(f"\n  · {n}" for n in self.notes)
        skipped = f"\nNot checked yet (they depend on the fields above):{later}" if later else ""
        super().__init__(f"the audit config has {len(issues)} problem(s):\n{lines}{skipped}")
