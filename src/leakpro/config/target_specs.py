"""How a target is reached and what its API reveals: the config values behind ``target.http`` and ``target.output``.

The adapters that act on them live in :mod:`leakpro.targets.http_target` and :mod:`leakpro.targets.output_defence`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

OutputKind = Literal["logits", "probabilities", "labels"]


class HttpTargetSpec(BaseModel):
    """How to talk to a prediction endpoint. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(..., description="the endpoint, e.g. http://127.0.0.1:8000/predict")
    request_key: str = Field("instances", min_length=1, description="JSON body key holding the batch of rows")
    feature_encoding: Literal["rows", "records"] = Field(
        "rows", description="rows: lists of values in column order; records: {column: value} objects")
    extra_body: dict[str, Any] = Field(default_factory=dict, description="static fields added to every body")
    headers: dict[str, str] = Field(default_factory=dict, description="extra HTTP headers")
    output: OutputKind = Field("logits", description="what the endpoint returns: logits, probabilities or labels")
    response_key: str | None = Field(None, description="dotted path of the outputs in the response; "
                                     "default: the output kind ('logits', 'probabilities' or 'labels')")
    batch_size: int = Field(256, ge=1, le=100_000, description="rows per request")
    timeout_s: float = Field(30.0, gt=0, description="per-request timeout")
    retries: int = Field(3, ge=0, le=20, description="retries after a timeout, connection error, 5xx or 429")
    backoff_s: float = Field(0.5, ge=0, description="first retry delay; doubles on each retry")
    rate_limit_per_s: float | None = Field(None, gt=0, description="at most this many requests per second")
    budget: int | None = Field(None, ge=1, description="hard budget in records answered (None: unlimited)")
    max_response_bytes: int = Field(64 * 2**20, ge=1024, le=2**30, description="largest response body read "
                                    "(default 64 MiB); a larger one is refused without being read whole")
    cache_dir: Path | None = Field(None, description="where answered queries are kept (resume without "
                                   "re-spending budget); relative to the config file")

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, got {url!r}")
        return url

    @model_validator(mode="after")
    def _body_keys(self) -> HttpTargetSpec:
        if self.request_key in self.extra_body:
            raise ValueError(f"extra_body must not contain the request_key {self.request_key!r}")
        return self

    @property
    def answer_key(self) -> str:
        return self.response_key or self.output


class OutputDefence(BaseModel):
    """What the API reveals of the model's probabilities (top-k, rounding, labels only)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top_k: int | None = Field(None, ge=1, description="reveal only the k largest probabilities")
    round: int | None = Field(None, ge=0, le=8, description="round probabilities to this many decimals")
    labels_only: bool = Field(False, description="reveal the predicted label only")
