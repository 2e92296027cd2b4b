"""Recipes are data: how to train a model like the target. No user subclasses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TorchRecipe(BaseModel):
    """Architecture + optimiser settings for training a PyTorch classifier from scratch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["torch"] = "torch"
    model: str = Field("mlp", description="registered model name or 'package.module:Class'")
    params: dict[str, Any] = Field(default_factory=dict, description="constructor arguments")
    optimizer: Literal["adam", "sgd", "adamw"] = "adam"
    lr: float = Field(1e-3, gt=0)
    epochs: int = Field(20, ge=1)
    batch_size: int = Field(128, ge=1)
    weight_decay: float = Field(0.0, ge=0)
    momentum: float = Field(0.9, ge=0, lt=1, description="used by sgd only")


class SklearnRecipe(BaseModel):
    """A scikit-learn style estimator class and its parameters (``get_params`` of the target by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["sklearn"] = "sklearn"
    estimator: str = Field(..., description="'package.module:Class' of the estimator")
    params: dict[str, Any] = Field(default_factory=dict)


Recipe = TorchRecipe | SklearnRecipe
