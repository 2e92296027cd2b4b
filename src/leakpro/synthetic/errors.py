"""Errors raised by the synthetic-data audit."""

from __future__ import annotations


class SyntheticInputError(ValueError):
    """Bad input to the synthetic-data audit; lists every problem found, each with its fix.

    ``problems`` holds one line per problem: the field or column, what is wrong, and how to fix it.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) with the synthetic-data audit input:\n{lines}")
