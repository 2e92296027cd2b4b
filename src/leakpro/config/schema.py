"""The audit config as frozen pydantic models (unknown keys are errors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from leakpro.config.recipe import TorchRecipe
from leakpro.config.target_specs import HttpTargetSpec, OutputDefence

# Seeds: numpy, torch and scikit-learn all take 0 ≤ seed < 2**32; the audit derives seeds by small offsets
# (seed + 1, seed + 7, ...), so the config's seed stays below 2**31.
MAX_SEED = 2**31 - 1
# Reference models per attack and in ``reference.models``: LiRA's paper uses up to 256; each model adds a
# records × classes block of signals, so 1,024 keeps a 100k-record audit within a few GiB.
MAX_REFERENCE_MODELS = 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MembersSpec(_Strict):
    """Which rows trained the target (the challenger's secret): a column or an index file."""

    column: str | None = Field(None, description="boolean / 0-1 column of the table")
    index_file: Path | None = Field(None, description=".npy or .txt of row indices of the members")
    key: str | None = Field(None, description="array name inside the .npz (arrays data)")

    @model_validator(mode="after")
    def _one(self) -> MembersSpec:
        if sum(v is not None for v in (self.column, self.index_file, self.key)) != 1:
            raise ValueError("give exactly one of column, index_file or key")
        return self


class PopulationSpec(_Strict):
    """Records the attacker holds that are known non-members: a column marking them, or another table."""

    column: str | None = Field(None, description="boolean column of the table")
    table: Path | None = Field(None, description="another table with the same columns")
    key: str | None = Field(None, description="boolean array inside the .npz (arrays data)")

    @model_validator(mode="after")
    def _one(self) -> PopulationSpec:
        if sum(v is not None for v in (self.column, self.table, self.key)) != 1:
            raise ValueError("give exactly one of column, table or key")
        return self


class SplitSpec(_Strict):
    """For data where LeakPro trains the target: how many candidates, population and null-training rows."""

    candidates: int = Field(16_000, ge=20)
    population: int = Field(8_000, ge=10)
    null_train: int | None = Field(None, ge=10, description="rows for the null target; default half the candidates")


class DataSpec(_Strict):
    builtin: str | None = Field(None, description="a registered dataset, e.g. 'adult'")
    table: Path | None = Field(None, description="CSV or Parquet file")
    arrays: Path | None = Field(None, description=".npz file of arrays")
    memory: str | None = Field(None, description="a table (DataFrame) or arrays held in this Python session, "
                               "named '@...' by leakpro.audit_model (no file is read)")
    label: str | None = Field(None, description="label column (table) or label array name (arrays)")
    features: list[str] | str | None = Field(None, description="feature columns, or the .npz array name")
    members: MembersSpec | None = None
    population: PopulationSpec | None = None
    split: SplitSpec | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DataSpec:
        if sum(v is not None for v in (self.builtin, self.table, self.arrays, self.memory)) != 1:
            raise ValueError("give exactly one of builtin, table or arrays")
        return self


class TargetSpec(_Strict):
    kind: Literal["torch", "sklearn", "http"]
    train: bool = Field(False, description="LeakPro trains the target itself on members it draws")
    model: str | None = Field(None, description="torch: registered model name or 'package.module:Class'")
    params: dict[str, Any] = Field(default_factory=dict, description="torch: constructor arguments")
    weights: Path | None = Field(None, description="torch: .safetensors, or .pt state dict")
    file: Path | None = Field(None, description="sklearn: .skops (safe) or a pickle (.pkl/.joblib, needs trust)")
    trust: bool = Field(False, description="allow what can run code: loading pickles, and importing "
                        "'package.module:Class' paths other than scikit-learn / XGBoost / LightGBM estimators")
    trusted_types: list[str] = Field(default_factory=list, description="skops: types you accept")
    recipe: TorchRecipe | None = Field(None, description="torch: how to train reference models")
    estimator: str | None = Field(None, description="sklearn with train: 'package.module:Class'")
    http: HttpTargetSpec | None = Field(None, description="http: the prediction endpoint, its mapping and budget")
    memory: str | None = Field(None, description="a fitted model held in this Python session, named '@...' by "
                               "leakpro.audit_model (no file is read)")


class ReferenceSpec(_Strict):
    models: int | None = Field(
        None, ge=1, le=MAX_REFERENCE_MODELS,
        description="reference models for every attack that does not set reference_models itself (at most 1,024)"
    )


class ExecutorSpec(_Strict):
    """Where reference models train: in this process, a local process pool, or a Ray cluster."""

    kind: Literal["local", "process", "ray"] = "local"
    workers: int | None = Field(None, ge=1, description="process pool size / Ray tasks in flight")
    address: str | None = Field(None, description="ray: cluster address, e.g. 'ray://head:10001' or 'auto'")
    batched: bool = Field(True, description="train many small torch models together where the architecture allows")


class DefenceSpec(_Strict):
    """A defended variant of the target, audited beside it: a changed training recipe and/or an output defence.

    ``recipe`` overrides fields of ``target.recipe`` (e.g. weight_decay, epochs for early stopping,
    label_smoothing, params: {dropout: 0.3}, dp: {target_epsilon: 1.0}); it needs ``target.train``.
    """

    name: str = Field(..., pattern=r"^[A-Za-z0-9_.-]+$")
    recipe: dict[str, Any] = Field(default_factory=dict)
    output: OutputDefence | None = None


class OneRunSpec(_Strict):
    """Canary one-run audit (Steinke et al. 2023) of the training recipe and of each training-side defence."""

    canaries: int = Field(500, ge=10, description="population records used as canaries")
    guesses: int = Field(100, ge=2, description="canaries guessed (half in, half out); the rest abstain")
    confidence: float = Field(0.95, gt=0.5, lt=1)


class DPAuditSpec(_Strict):
    """White-box DP-SGD audit with Dirac gradient canaries (Steinke et al. 2023) of every DP recipe (target.train)."""

    canaries: int = Field(100_000, ge=40, le=2_000_000, description="gradient canaries per run, each included with "
                          "probability 1/2 (they sit in coordinates the model does not read; a quarter only choose "
                          "the guesses); more canaries, tighter bounds, up to about 10⁶ (ε = 4, full batch: about 1.3 "
                          "at 5,000, 1.9 at 50,000, 2.4 at 200,000)")
    canary_norm: float = Field(10.0, ge=1.0, le=1e6, description="canary gradient norm in units of the clipping "
                               "norm: above 1, a recipe that does not clip per sample lets it through larger")
    runs: int = Field(1, ge=1, le=1000, description="independent training runs (more: pooled and multi-run bounds)")
    confidence: float = Field(0.95, gt=0.5, lt=1)
    planted_bugs: list[Literal["noise_10x_small", "no_clipping", "per_batch_clipping", "wrong_sampling_rate"]] = Field(
        default_factory=list, description="also audit these broken variants of the recipe: a self-test that the "
        "audit catches them")


class ExtractionSpec(_Strict):
    """Model extraction through the target's API, then membership with the stolen surrogate."""

    attack: str = Field("knockoff", description="knockoff | equation_solving")
    params: dict[str, Any] = Field(default_factory=dict, description="the attack's parameters (budget, ...)")


class PropertySpec(_Strict):
    """Property inference: can an attacker tell the share of rows with ``column == value`` in training?"""

    column: str
    value: str
    params: dict[str, Any] = Field(default_factory=dict, description="t0, t1, shadow_models, access, recipe ...")
    evaluation_models: int = Field(20, ge=2, description="models trained at t0/t1 to judge the attack (even)")


class InversionSpec(_Strict):
    """White-box class inversion (MI-Face) of a PyTorch target on image data, judged by the challenger.

    The attacker holds the weights, the class names and the population records (public data of the same
    domain: their mean image is its start, their range its box). The challenger trains an evaluation
    classifier of another architecture on the members and measures how many reconstructions it recognises,
    and how close they lie to the nearest member image; the same attack on an untrained model of the
    target's architecture is the control.
    """

    params: dict[str, Any] = Field(default_factory=dict, description="steps, lr, tv_weight, restarts, noise ...")
    evaluation: dict[str, Any] = Field(
        default_factory=lambda: {"model": "mlp", "params": {"hidden": [256]}, "epochs": 60, "batch_size": 32},
        description="training recipe of the evaluation classifier (another architecture than the target's)")


class AttributeInferenceSpec(_Strict):
    """Attribute inference on tabular data: which categorical attributes the target reveals beyond imputation."""

    attributes: list[str] = Field(..., min_length=1, description="categorical columns to infer, e.g. [sex, race]")
    prior: Literal["marginal", "imputation", "none"] = Field(
        "imputation", description="the attack's prior on the attribute, from population records")
    records: int | None = Field(None, ge=10, description="members and non-members attacked (each; default all)")


AttackItem = str | dict[str, dict[str, Any] | None]


class AuditConfig(_Strict):
    seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of every random choice (0 to 2**31 - 1)")
    data: DataSpec
    target: TargetSpec
    threat_model: Literal["scores", "labels"] = "scores"
    attacks: Literal["all"] | list[AttackItem] = "all"
    reference: ReferenceSpec = Field(default_factory=lambda: ReferenceSpec(models=None))
    executor: ExecutorSpec = Field(default_factory=lambda: ExecutorSpec(workers=None, address=None, batched=True))
    null_target: bool = Field(False, description="also audit a model trained without the candidate members")
    defences: list[DefenceSpec] = Field(default_factory=list, description="defended variants to compare")
    one_run: OneRunSpec | None = Field(None, description="canary one-run audit of the recipe and its variants")
    dp_audit: DPAuditSpec | None = Field(None, description="white-box gradient-canary audit of DP-SGD recipes")
    extraction: ExtractionSpec | None = Field(None, description="model extraction through the target's API")
    property: PropertySpec | None = Field(None, description="property inference on the target")
    inversion: InversionSpec | None = Field(None, description="white-box class inversion (images, torch)")
    attribute_inference: AttributeInferenceSpec | None = Field(
        None, description="attribute inference against the imputation baseline (tabular data)")
    name: str = "audit"
