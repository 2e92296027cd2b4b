"""Typed, frozen, JSON-serialisable results of a federated audit (pydantic v2 models).

Every reconstruction outcome carries its baselines, computed by the challenger from population records the
attack never targeted: the PSNR of the population *mean image* and the mean PSNR of a *random record* of
the same distribution (images), or the accuracy of guessing each column's majority value (tabular).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

LEAK_MARGIN_DB = 3.0
"""A reconstruction "leaks" when its mean PSNR beats the best population baseline by this much: 3 dB halves
the squared error of the best guess made without the update (a blurry average can edge past the mean image)."""
LEAK_MARGIN_COLUMNS = 0.05

class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Setting(_Frozen):
    """The federated setting an update came from."""

    algorithm: str
    batch_size: int  # records of the attacked client
    local_steps: int
    local_batch_size: int | None
    lr: float
    clients: int
    defence: str = "none"


class ReconstructionOutcome(_Frozen):
    """One attack on one update, scored after matching reconstructions to the true records."""

    attack: str
    paper: str
    params: dict[str, Any]
    setting: Setting
    psnr: list[float] = Field(default_factory=list, description="per true record, after Hungarian matching")
    ssim: list[float] = Field(default_factory=list)
    mean_psnr: float | None = None
    mean_ssim: float | None = None
    label_accuracy: float
    matching_loss: float
    baseline_mean_image_psnr: float | None = None
    baseline_random_image_psnr: float | None = None
    column_accuracy: dict[str, float] | None = None
    baseline_column_accuracy: dict[str, float] | None = None
    runtime_s: float
    image: str | None = Field(None, description="PNG grid, relative to the output folder")

    @property
    def beats_baseline(self) -> bool:
        """Whether the attack beats the challenger's best population baseline by the leak margin."""
        if self.mean_psnr is not None and self.baseline_mean_image_psnr is not None:
            best = max(self.baseline_mean_image_psnr, self.baseline_random_image_psnr or 0.0)
            return self.mean_psnr > best + LEAK_MARGIN_DB
        if self.column_accuracy and self.baseline_column_accuracy:
            mean = sum(self.column_accuracy.values()) / len(self.column_accuracy)
            base = sum(self.baseline_column_accuracy.values()) / len(self.baseline_column_accuracy)
            return mean > base + LEAK_MARGIN_COLUMNS
        return False


class ClientMiaOutcome(_Frozen):
    """The curious client's membership inference: AUC with its DeLong interval over members/non-members."""

    attack: str
    paper: str
    params: dict[str, Any]
    rounds: int
    clients: int
    members: int
    non_members: int
    auc: float
    auc_low: float
    auc_high: float
    null_auc: float
    null_auc_low: float
    null_auc_high: float
    runtime_s: float


class FederatedAuditResult(_Frozen):
    """Everything a federated audit found; JSON is the source of truth for the report."""

    kind: str = "federated"
    config: dict[str, Any]
    config_hash: str
    seed: int
    versions: dict[str, str]
    data: str
    model: str
    attacks: list[ReconstructionOutcome]
    defences: list[ReconstructionOutcome] = Field(default_factory=list)
    sweep: list[ReconstructionOutcome] = Field(default_factory=list)
    client_mia: ClientMiaOutcome | None = None
    runtime_s: float

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str) -> FederatedAuditResult:
        return cls.model_validate_json(text)
