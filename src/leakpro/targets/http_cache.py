"""What an HTTP target keeps between runs and how it fails: the on-disk answer cache with its budget ledger,
and the two errors an audit can meet (the endpoint failed; the query budget ran out).

See :mod:`leakpro.targets.http_target` for the ledger's write-ahead rule. Standard library only.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


class HttpTargetError(RuntimeError):
    """The endpoint failed or answered something unusable (after retries where retrying makes sense).

    ``problem`` says what went wrong, ``state`` what was spent and what is cached, ``fix`` what to do; the
    message is the three together, one paragraph. ``answered``: the endpoint did answer (HTTP 200), with
    something unusable; those records count as spent, as the endpoint counts them.
    """

    def __init__(self, problem: str, fix: str = "", state: str = "", *, answered: bool = False) -> None:
        self.problem, self.fix, self.state, self.answered = problem, fix, state, answered
        super().__init__(_paragraph(problem, state, fix))


class QueryBudgetExceeded(RuntimeError):
    """The hard query budget would be exceeded. Answers received so far are kept in the cache."""

    def __init__(self, used: int, budget: int, requested: int, cache: Path | None, state: str = "") -> None:
        self.used, self.budget, self.requested, self.cache, self.state = used, budget, requested, cache, state
        self.problem = f"query budget exhausted: {used} of {budget} records used, {requested} more needed"
        self.fix = (f"raise target.http.budget to at least {used + requested} and re-run the same command: the "
                    "answers kept in the cache are re-read without spending budget" if cache else
                    "raise target.http.budget, and set target.http.cache_dir so that a re-run resumes from the "
                    "answers already received")
        super().__init__(_paragraph(self.problem, state or (f"Every answer received is kept in {cache}."
                                                            if cache else ""), self.fix))


def _paragraph(problem: str, state: str, fix: str) -> str:
    parts = [problem.rstrip(". ") + "."] + ([state] if state else []) + ([f"Fix: {fix.rstrip('. ')}."] if fix else [])
    return " ".join(parts)


class AnswerCache:
    """Answers keyed by a hash of (endpoint, mapping, row), plus a ledger of records spent (SQLite)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "http_answers.sqlite"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS ledger (endpoint TEXT PRIMARY KEY, spent INTEGER)")

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])

    def set_spent(self, endpoint: str, spent: int) -> None:
        """The ledger alone (written before a batch is sent, and back if the endpoint fails on it)."""
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO ledger VALUES (?, ?)", (endpoint, spent))

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for key, value in self._db.execute(f"SELECT key, value FROM answers WHERE key IN ({marks})", chunk):
                    found[key] = json.loads(value)
        return found

    def spent(self, endpoint: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT spent FROM ledger WHERE endpoint = ?", (endpoint,)).fetchone()
        return int(row[0]) if row else 0

    def put_many(self, endpoint: str, items: Iterable[tuple[str, Any]], spent: int) -> None:
        rows = [(k, json.dumps(v)) for k, v in items]
        with self._lock, self._db:  # one transaction: answers and ledger together
            self._db.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?)", rows)
            self._db.execute("INSERT OR REPLACE INTO ledger VALUES (?, ?)", (endpoint, spent))

    def close(self) -> None:
        with self._lock:
            self._db.close()
