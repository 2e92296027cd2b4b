"""Typed, frozen results of property inference."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from leakpro.results.types import Interval


class PropertyInferenceResult(BaseModel):
    """How often the meta-classifier tells fraction t0 from t1 on models whose true fraction is known."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attack: str = "property_inference"
    title: str
    paper: str
    access: Literal["black_box", "white_box"]
    property: str = Field(description="the property, e.g. 'sex=Female'")
    t0: float
    t1: float
    shadow_models: int
    evaluation_models: int
    train_size: int
    queries: int = Field(description="size of the fixed query set (black box); 0 for white box")
    accuracy: Interval = Field(description="meta-classifier accuracy on the evaluation models (Clopper–Pearson)")
    correct: int
    baseline: float = Field(0.5, description="guessing accuracy (t0 and t1 equally often)")
    better_than_chance: bool = Field(description="the interval's lower bound is above the baseline")
    target_p_t1: float | None = Field(None, description="meta-classifier P(fraction = t1) for the audited target")
    target_fraction: float | None = Field(None, description="the audited target's true fraction (challenger)")
    seed: int
    runtime_s: float
    summary: str
