"""A black-box prediction API over HTTP as a :class:`~leakpro.targets.protocol.Target`.

Threat model: the realistic API attacker. The attacker (and so the audit) can only send feature rows to a
JSON endpoint and read back what it returns: logits, probabilities, or the predicted label only. Every
record sent is counted against a hard query budget (the provider's quota), answers are cached on disk
so a failed or killed audit resumes without spending the budget again, and the endpoint is treated as
unreliable (timeouts, retries with exponential backoff, a client-side rate limit).

Request (defaults): ``POST url`` with body ``{"instances": [[f1, f2, ...], ...]}`` (``feature_encoding:
records`` sends ``[{"col": value, ...}, ...]`` instead), plus any ``extra_body`` fields. Response:
``{"logits": [[z1, ..., zC], ...]}`` (or ``"probabilities"`` / ``"labels"``, or any dotted
``response_key`` such as ``result.scores``). ``leakpro serve-model`` serves exactly this format.

The budget counts records answered by the endpoint, across every run that shares ``cache_dir`` (the
cache keeps a ledger): a resumed audit re-reads cached answers for free and needs budget only for the
rest. The ledger is written ahead: a batch counts as spent from the moment it is sent unless the endpoint
refuses it (an HTTP error status) or cannot be reached, so an audit killed while a request is in flight
leaves that batch counted (the endpoint answered, or may have, and the resumed audit pays for it again),
and an answer that arrives unusable (malformed, NaN, too large) counts too: the ledger never under-counts
what the endpoint charged. Responses larger than ``max_response_bytes`` are refused without being read whole.

This module imports only the standard library and pydantic at top level, so the config schema can import
:class:`HttpTargetSpec` without numpy-heavy dependencies.

>>> spec = HttpTargetSpec(url="http://127.0.0.1:8000/predict", budget=10_000)
>>> spec.batch_size, spec.output
(256, 'logits')
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import urllib.error
import urllib.request
from http.client import HTTPException
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from leakpro.config.target_specs import HttpTargetSpec
from leakpro.targets.http_cache import AnswerCache, HttpTargetError, QueryBudgetExceeded

if TYPE_CHECKING:
    import numpy as np

    from leakpro.data.dataset import Features

LABEL_FLOOR = 1e-30  # labels-only answers become log one-hot probabilities, floored like predict_proba


def _native(value: Any) -> Any:
    """A JSON-able Python value for one table cell (numpy scalars unwrapped, NaN/NA → null)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or (not isinstance(value, str | int | float | bool) and str(value) in ("<NA>", "NaT")):
        return None
    return value


def _error_detail(body: bytes) -> str:
    """The server's error message: the ``error``/``detail`` field of a JSON body, else the text itself."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return repr(text[:300])
    if isinstance(data, dict):
        for key in ("error", "detail", "message"):
            if key in data:
                return str(data[key])[:300]
    return repr(text[:300])


def encode_rows(features: Features, encoding: Literal["rows", "records"]) -> list[Any]:
    """Feature rows as JSON-able values. Floats keep every bit (JSON floats round-trip float64)."""
    import numpy as np
    import pandas as pd

    if isinstance(features, pd.DataFrame):
        columns = [str(c) for c in features.columns]
        rows = [[_native(v) for v in row] for row in features.itertuples(index=False, name=None)]
        return [dict(zip(columns, r, strict=True)) for r in rows] if encoding == "records" else rows
    if encoding == "records":
        raise ValueError("feature_encoding 'records' needs a table with named columns; the features are an array. "
                         "Fix: use feature_encoding: rows")
    arr = np.asarray(features)
    if not np.isfinite(arr.astype(np.float64, copy=False)).all():
        raise ValueError("the features contain NaN or infinite values, which JSON cannot carry")
    return list(arr.tolist())


class HttpTarget:
    """A classifier behind a JSON prediction endpoint (see the module docstring for the format).

    ``logits`` returns the endpoint's logits, the log of its probabilities (floored at 1e-30), or, for a
    labels-only endpoint, the log of one-hot probabilities: exactly what a hard-label API reveals (the
    audit refuses the scores threat model for such an endpoint).
    """

    def __init__(self, spec: HttpTargetSpec, n_classes: int, cache_dir: Path | None = None) -> None:
        if n_classes < 2:
            raise ValueError(f"n_classes must be at least 2, got {n_classes}")
        self.spec = spec
        self.n_classes = n_classes
        self.cache_dir = cache_dir if cache_dir is not None else spec.cache_dir
        self._cache = AnswerCache(self.cache_dir) if self.cache_dir is not None else None
        mapping = spec.model_dump(mode="json", include={"url", "request_key", "feature_encoding", "extra_body",
                                                        "output", "response_key"})
        self.endpoint_id = hashlib.sha256(json.dumps([mapping, n_classes], sort_keys=True).encode()).hexdigest()
        self.spent = self._cache.spent(self.endpoint_id) if self._cache else 0  # records answered, all runs
        self.records_sent = 0  # records answered by the endpoint in this session
        self.cache_hits = 0  # records answered from the cache in this session
        self.requests = 0  # HTTP requests that succeeded in this session
        self._memory: dict[str, Any] = {}  # answers when there is no disk cache
        self._next_request = 0.0

    # -- the Target protocol -------------------------------------------------------------------------
    def logits(self, features: Features) -> np.ndarray:
        import numpy as np

        answers = self._answers(features)
        if self.spec.output == "labels":
            out = np.full((len(answers), self.n_classes), math.log(LABEL_FLOOR))
            out[np.arange(len(answers)), np.asarray(answers, dtype=np.int64)] = 0.0
            return out
        values = np.asarray(answers, dtype=np.float64).reshape(len(answers), self.n_classes)
        if self.spec.output == "probabilities":
            return np.log(np.clip(values, LABEL_FLOOR, 1.0))
        return values

    def predict(self, features: Features) -> np.ndarray:
        import numpy as np

        if self.spec.output == "labels":
            return np.asarray(self._answers(features), dtype=np.int64).reshape(-1)
        return self.logits(features).argmax(axis=1).astype(np.int64)

    def describe(self) -> str:
        budget = "unlimited" if self.spec.budget is None else f"{self.spec.budget:,} records"
        return f"HTTP endpoint {self.spec.url} ({self.spec.output}, budget {budget})"

    def usage(self) -> dict[str, int | None]:
        """Query accounting: budget, records spent over all runs, sent and cached in this session."""
        return {"budget": self.spec.budget, "spent": self.spent, "sent": self.records_sent,
                "cache_hits": self.cache_hits, "requests": self.requests}

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()

    def state(self) -> str:
        """What was spent and what is cached, in words (for error messages)."""
        budget = f" of a budget of {self.spec.budget:,}" if self.spec.budget is not None else ""
        spent = (f"Spent: {self.spent:,} records{budget} over all runs (this run: {self.records_sent:,} sent in "
                 f"{self.requests:,} request(s), {self.cache_hits:,} answered from the cache).")
        if self._cache is None:
            return spent + (" Answers are kept in memory only, so a re-run pays for them again; set "
                            "target.http.cache_dir to resume without paying twice.")
        return spent + (f" {self._cache.count():,} answers are kept in {self._cache.path}: re-running the same "
                        "command with the same cache re-reads them without spending budget.")

    def _error(self, problem: str, fix: str, *, answered: bool = False) -> HttpTargetError:
        return HttpTargetError(problem, fix, self.state(), answered=answered)

    # -- querying --------------------------------------------------------------------------------------
    def _row_key(self, row: Any) -> str:
        text = json.dumps(row, separators=(",", ":"), sort_keys=True, allow_nan=False)
        return hashlib.sha256(f"{self.endpoint_id}\n{text}".encode()).hexdigest()

    def _answers(self, features: Features) -> list[Any]:
        """One answer per row: cached where known, the rest from the endpoint in budgeted batches."""
        try:
            rows = encode_rows(features, self.spec.feature_encoding)
        except ValueError as exc:
            problem, _, fix = str(exc).partition(". Fix: ")
            raise self._error(f"cannot encode the features for {self.spec.url}: {problem}",
                              fix or "replace NaN and infinite values before the audit") from exc
        keys = [self._row_key(r) for r in rows]
        known = self._lookup(keys)
        self.cache_hits += sum(k in known for k in keys)
        missing: dict[str, Any] = {}
        for k, r in zip(keys, rows, strict=True):
            if k not in known and k not in missing:
                missing[k] = r
        todo = list(missing.items())
        pos, budget = 0, self.spec.budget
        while pos < len(todo):
            want = min(self.spec.batch_size, len(todo) - pos)
            allowed = want if budget is None else max(0, min(want, budget - self.spent))
            if allowed:
                known.update(self._send(todo[pos : pos + allowed]))
                pos += allowed
            if budget is not None and allowed < want:
                raise QueryBudgetExceeded(self.spent, budget, len(todo) - pos,
                                          self._cache.path if self._cache else None, self.state())
        return [known[k] for k in keys]

    def _lookup(self, keys: list[str]) -> dict[str, Any]:
        if self._cache is not None:
            return self._cache.get_many(sorted(set(keys)))
        return {k: self._memory[k] for k in keys if k in self._memory}

    def _send(self, batch: list[tuple[str, Any]]) -> dict[str, Any]:
        body = {**self.spec.extra_body, self.spec.request_key: [r for _, r in batch]}
        if self._cache is not None:  # written ahead: a kill while the request is in flight leaves it counted
            self._cache.set_spent(self.endpoint_id, self.spent + len(batch))
        try:
            values = self._parse(self._post(json.dumps(body, allow_nan=False).encode()), len(batch))
        except Exception as exc:
            if not (isinstance(exc, HttpTargetError) and exc.answered):  # refused, unreachable, timed out
                if self._cache is not None:
                    self._cache.set_spent(self.endpoint_id, self.spent)  # not spent
                raise
            self._count(len(batch))  # answered, unusably: spent all the same (nothing is cached)
            raise self._error(exc.problem, exc.fix, answered=True) from None
        answers = {k: v for (k, _), v in zip(batch, values, strict=True)}
        self._count(len(batch))
        if self._cache is not None:
            self._cache.put_many(self.endpoint_id, answers.items(), self.spent)
        else:
            self._memory.update(answers)
        return answers

    def _count(self, n: int) -> None:
        self.spent += n
        self.records_sent += n
        self.requests += 1

    def _wait_for_rate_limit(self) -> None:
        if self.spec.rate_limit_per_s is None:
            return
        now = time.monotonic()
        if now < self._next_request:
            time.sleep(self._next_request - now)
        self._next_request = max(now, self._next_request) + 1.0 / self.spec.rate_limit_per_s

    def _post(self, body: bytes) -> bytes:
        """POST with retries and exponential backoff on timeouts, connection errors, 5xx and 429."""
        url, spec = self.spec.url, self.spec
        headers = {"Content-Type": "application/json", "Accept": "application/json", **spec.headers}
        last = ""
        for attempt in range(spec.retries + 1):
            if attempt:
                time.sleep(spec.backoff_s * 2 ** (attempt - 1))
            self._wait_for_rate_limit()
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=spec.timeout_s) as response:
                    return self._read_capped(response)
            except urllib.error.HTTPError as exc:
                detail = _error_detail(exc.read(2000))
                if exc.code < 500 and exc.code != 429:
                    raise self._error(f"POST {url} was refused with HTTP {exc.code} {exc.reason}: {detail}",
                                      "check target.http.url and the request mapping "
                                      "(request_key, feature_encoding, extra_body, headers)") from exc
                last = f"HTTP {exc.code} {exc.reason}: {detail}"
            except (urllib.error.URLError, TimeoutError, ConnectionError, HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"{type(reason).__name__}: {reason}"
        raise self._error(f"POST {url} failed after {spec.retries + 1} attempt(s); last error: {last}",
                          f"check that the server is running and reachable, or raise target.http.timeout_s "
                          f"({spec.timeout_s}) / retries ({spec.retries}); then re-run the same command")

    def _read_capped(self, response: Any) -> bytes:
        """The body, refused (unread beyond the cap) when larger than ``max_response_bytes``."""
        cap = self.spec.max_response_bytes
        declared = response.headers.get("Content-Length")
        size = int(declared) if declared is not None and declared.strip().isdigit() else None
        body = b"" if size is not None and size > cap else bytes(response.read(cap + 1))
        if (size is not None and size > cap) or len(body) > cap:
            shown = f"{size:,} bytes" if size is not None and size > cap else f"more than {cap:,} bytes"
            raise self._error(f"{self.spec.url} sent a response of {shown}, larger than "
                              f"target.http.max_response_bytes ({cap:,}); it was not read",
                              "lower target.http.batch_size so each answer is smaller, or raise "
                              "target.http.max_response_bytes if the endpoint is yours and the size is expected",
                              answered=True)
        return body

    def _parse(self, payload: bytes, n: int) -> list[Any]:
        """Validate the response: the outputs at ``answer_key``, one per row, of the right shape."""
        url, key = self.spec.url, self.spec.answer_key
        try:
            data: Any = json.loads(payload)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise self._error(f"{url} returned malformed JSON ({exc}); first bytes: {payload[:80]!r}",
                              "check that the URL is the prediction endpoint", answered=True) from exc
        for part in key.split("."):
            if not isinstance(data, dict) or part not in data:
                found = sorted(map(str, data))[:10] if isinstance(data, dict) else type(data).__name__
                raise self._error(f"{url}: the response has no {key!r} (found {found})",
                                  "set target.http.response_key / output to match the endpoint", answered=True)
            data = data[part]
        if not isinstance(data, list) or len(data) != n:
            got = len(data) if isinstance(data, list) else type(data).__name__
            raise self._error(f"{url}: {key!r} should hold {n} answers, one per row sent, got {got}",
                              "check that the endpoint answers every row of a batch (or lower "
                              "target.http.batch_size)", answered=True)
        return [self._check_answer(v, i) for i, v in enumerate(data)]

    def _check_answer(self, value: Any, i: int) -> Any:
        c, key = self.n_classes, self.spec.answer_key
        if self.spec.output == "labels":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < c:
                raise self._error(f"{self.spec.url}: {key}[{i}] = {str(value)[:40]} is not a class index in "
                                  f"0..{c - 1}", "check target.http.output and that data.label has the "
                                  "model's classes", answered=True)
            return value
        ok = isinstance(value, list) and len(value) == c and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
        if ok and self.spec.output == "probabilities":
            ok = all(-1e-9 <= v <= 1 + 1e-9 for v in value)
        if not ok:
            nonfinite = isinstance(value, list) and any(
                isinstance(v, float) and not math.isfinite(v) for v in value)
            fix = ("check the model behind the endpoint: NaN or infinite outputs usually mean NaN weights or "
                   "inputs" if nonfinite else "check target.http.output and that data.label has the model's classes")
            raise self._error(f"{self.spec.url}: {key}[{i}] should be {c} finite {self.spec.output}, got "
                              f"{str(value)[:80]}", fix, answered=True)
        return value
