"""Recipes are data: how to train a model like the target. No user subclasses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from leakpro.config.augmentations import check_training_augmentations


class DPSpec(BaseModel):
    """DP-SGD (Abadi et al. 2016) through Opacus: per-sample clipping and Gaussian noise, Poisson sampling."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_epsilon: float | None = Field(None, gt=0, description="calibrate the noise to reach this ε")
    noise_multiplier: float | None = Field(None, gt=0, description="or give the noise multiplier directly")
    max_grad_norm: float = Field(1.0, gt=0, description="per-sample gradient clipping norm")
    delta: float = Field(1e-5, gt=0, lt=1)

    @model_validator(mode="after")
    def _one(self) -> DPSpec:
        if (self.target_epsilon is None) == (self.noise_multiplier is None):
            raise ValueError("give exactly one of target_epsilon or noise_multiplier")
        return self


class TorchRecipe(BaseModel):
    """Architecture + optimiser settings for training a PyTorch classifier from scratch.

    ``augment`` is left out of dumps when empty, so recipes without it keep their cache keys and config
    hashes; with it, the reference-model cache key (which hashes the dump) changes as it must.
    """

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
    label_smoothing: float = Field(0.0, ge=0, lt=1)
    dp: DPSpec | None = Field(None, description="train with DP-SGD (Opacus)")
    augment: tuple[str, ...] = Field(
        (), exclude_if=lambda names: not names,
        description="augmentations applied at random to each training batch (images only), named as in "
                    "leakpro.data.augment: 'hflip', 'shift:dx,dy'. Every record of every batch gets one "
                    "augmentation drawn uniformly from ['identity', *augment]",
    )

    @field_validator("augment")
    @classmethod
    def _known_augmentations(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        check_training_augmentations(names)
        return names

    @model_validator(mode="after")
    def _augment_without_dp(self) -> TorchRecipe:
        if self.augment and self.dp is not None:
            raise ValueError("augment: not supported with dp (DP-SGD trains on Opacus's own batches); "
                             "fix: drop one of them")
        return self


class SklearnRecipe(BaseModel):
    """A scikit-learn style estimator class and its parameters (``get_params`` of the target by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["sklearn"] = "sklearn"
    estimator: str = Field(..., description="'package.module:Class' of the estimator")
    params: dict[str, Any] = Field(default_factory=dict)


Recipe = TorchRecipe | SklearnRecipe
