"""The extraction attack contract: settings in the constructor, ``run(oracle, pool)`` returns surrogates.

An extraction attacker holds only query access to the target (a :class:`~leakpro.game.view.QueryOracle`,
which enforces the threat model and counts records) and a pool of public inputs from the same domain.
``run`` spends at most ``budget`` queries and returns the surrogate trained after each checkpoint, so a
curve of fidelity against queries can be drawn; judging the surrogates is the challenger's job
(:func:`leakpro.attacks.extraction.evaluate.evaluate_extraction`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.data.dataset import Features
from leakpro.game.view import QueryOracle
from leakpro.registry import Registry
from leakpro.targets.protocol import Target

QuerySource = Literal["public", "synthetic"]


class ExtractionParams(BaseModel):
    """Shared settings: frozen, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checkpoints: list[int] | None = Field(None, description="query counts at which to train a surrogate "
                                          "(ascending); default: a few points up to the budget")

    @field_validator("checkpoints")
    @classmethod
    def _ascending(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and (not v or min(v) < 1 or sorted(set(v)) != v):
            raise ValueError("checkpoints must be a non-empty ascending list of positive query counts")
        return v


@dataclass(frozen=True)
class ExtractionRun:
    """What the attacker ends with: a surrogate per checkpoint (queries used so far, surrogate)."""

    surrogates: list[tuple[int, Target]]
    queries: int
    derived: dict[str, Any] = field(default_factory=dict)


class ExtractionAttack:
    """One abstract layer: subclasses set the class attributes and implement ``run``."""

    name: ClassVar[str]
    title: ClassVar[str]
    paper: ClassVar[str]
    threat_model: ClassVar[str] = "labels or scores of the prediction API, with a query budget"
    Params: ClassVar[type[ExtractionParams]] = ExtractionParams

    def __init__(self, *, random_state: int = 0, **params: Any) -> None:
        self.params = self.Params(**params)
        self.random_state = random_state

    def run(self, oracle: QueryOracle, pool: Features) -> ExtractionRun:
        raise NotImplementedError


def default_checkpoints(budget: int, points: int = 5) -> list[int]:
    """About ``points`` query counts spaced geometrically up to ``budget`` (always ending at it)."""
    grid = np.unique(np.round(np.geomspace(max(2, budget / 2 ** (points - 1)), budget, points)).astype(int))
    return [int(v) for v in grid if v <= budget]


def checkpoints_for(params: ExtractionParams, budget: int) -> list[int]:
    cps = params.checkpoints or default_checkpoints(budget)
    if cps[-1] > budget:
        raise ValueError(f"checkpoint {cps[-1]} exceeds the query budget {budget}; lower it or raise the budget")
    return cps


def make_queries(pool: np.ndarray, n: int, source: QuerySource, rng: np.random.Generator,
                 noise: float = 0.1) -> np.ndarray:
    """``n`` query inputs from the public pool (a random order; beyond the pool, noisy copies of its rows
    with ``noise`` × each feature's std) or synthetic (independent Gaussians with the pool's means/stds)."""
    if pool.shape[0] == 0:
        raise ValueError("the public query pool is empty; extraction needs inputs from the target's domain")
    mean, std = pool.mean(axis=0), pool.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    if source == "synthetic":
        return (mean + rng.standard_normal((n, pool.shape[1])) * std).astype(np.float32)
    order = rng.permutation(pool.shape[0])
    rows = np.concatenate([order] * (n // pool.shape[0] + 1))[:n]
    out = pool[rows].astype(np.float32, copy=True)
    extra = np.arange(n) >= pool.shape[0]
    out[extra] += (rng.standard_normal((int(extra.sum()), pool.shape[1])) * std * noise).astype(np.float32)
    return out


EXTRACTION_ATTACKS: Registry[type[ExtractionAttack]] = Registry("extraction attack")


def register_extraction_attack(cls: type[ExtractionAttack]) -> type[ExtractionAttack]:
    """Register an extraction attack by its ``name``, and its card in the catalogue of every attack."""
    EXTRACTION_ATTACKS.add(cls.name, cls)
    register_card(AttackCard(family="model extraction", name=cls.name, title=cls.title, paper=cls.paper,
                             threat_model=cls.threat_model, params=cls.Params))
    return cls
