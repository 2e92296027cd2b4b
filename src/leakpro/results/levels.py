"""The risk ladder: ordered levels and the stated thresholds on measured figures that reach them.

It sits in the lowest layer so that the report (which reads levels) and the audit (which chooses a headline attack
by how far its figures go towards the High rung) share one table. Explanations of each rung are in
:mod:`leakpro.report.risk`.

>>> [t.at for t in MEMBERSHIP_THRESHOLDS if t.level is RiskLevel.HIGH]
[0.01, 0.1, 0.65]
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class RiskLevel(IntEnum):
    """Ordered risk rungs (compare with ``<``/``max``)."""

    LOW = 0
    MODERATE = 1
    HIGH = 2
    VERY_HIGH = 3

    @property
    def label(self) -> str:
        """Human label: 'Very high'."""
        return self.name.replace("_", " ").capitalize()

    @property
    def css(self) -> str:
        """CSS class suffix: 'very-high'."""
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True)
class Threshold:
    """``level`` is reached when ``figure`` ≥ ``at``."""

    level: RiskLevel
    figure: str
    at: float
    why: str


# Figures: "auc", "tpr@1%" and "tpr@0.1%" (TPR at FPR ≤ 1 % and ≤ 0.1 %). Chance: AUC 0.5, TPR = FPR level.
MEMBERSHIP_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(RiskLevel.VERY_HIGH, "tpr@0.1%", 0.10, "1 in 10 members identified with ≤ 1 in 1,000 false alarms"),
    Threshold(RiskLevel.VERY_HIGH, "auc", 0.80, "members and non-members are separated most of the time"),
    Threshold(RiskLevel.HIGH, "tpr@0.1%", 0.01, "10× chance at 0.1 % FPR: some members identified confidently"),
    Threshold(RiskLevel.HIGH, "tpr@1%", 0.10, "10× chance at 1 % FPR"),
    Threshold(RiskLevel.HIGH, "auc", 0.65, "clear average advantage over guessing"),
    Threshold(RiskLevel.MODERATE, "tpr@1%", 0.03, "3× chance at 1 % FPR"),
    Threshold(RiskLevel.MODERATE, "auc", 0.55, "small average advantage over guessing"),
)

SYNTHETIC_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(RiskLevel.VERY_HIGH, "risk", 0.50, "the attack succeeds on half the records beyond the control"),
    Threshold(RiskLevel.HIGH, "risk", 0.20, "one in five records beyond what the control explains"),
    Threshold(RiskLevel.MODERATE, "risk", 0.05, "a measurable excess over the control"),
    Threshold(RiskLevel.VERY_HIGH, "auc", 0.80, "membership on the synthetic table: separated most of the time"),
    Threshold(RiskLevel.HIGH, "auc", 0.65, "membership on the synthetic table: clear advantage"),
    Threshold(RiskLevel.MODERATE, "auc", 0.55, "membership on the synthetic table: small advantage"),
)

# Reconstruction (gradient inversion): how far the reconstructions beat the best guess made without the update.
# Images: mean PSNR minus the best population baseline (mean image, random record), in dB; +3 dB halves the squared
# error (the federated audit's own "leaks" margin), +10 dB divides it by 10, +20 dB by 100. Tabular: mean per-column
# accuracy minus the accuracy of guessing each column's majority value.
RECONSTRUCTION_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(RiskLevel.VERY_HIGH, "psnr_gain", 20.0, "squared error 100× below the best baseline: near-exact copies"),
    Threshold(RiskLevel.VERY_HIGH, "column_gain", 0.40, "most hidden values recovered beyond the majority guess"),
    Threshold(RiskLevel.HIGH, "psnr_gain", 10.0, "squared error 10× below the best baseline: records recognisable"),
    Threshold(RiskLevel.HIGH, "column_gain", 0.20, "one in five values recovered beyond the majority guess"),
    Threshold(RiskLevel.MODERATE, "psnr_gain", 3.0, "squared error halved: the audit's 'leaks' margin"),
    Threshold(RiskLevel.MODERATE, "column_gain", 0.05, "a measurable excess over the majority guess"),
)

# Model inversion (class inversion, MI-Face): the evaluation classifier's accuracy on the reconstructions minus the
# better of chance (1 / classes) and the same attack on an untrained model (the null control).
INVERSION_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(RiskLevel.VERY_HIGH, "inversion_gain", 0.50, "half the reconstructions show their class"),
    Threshold(RiskLevel.HIGH, "inversion_gain", 0.25, "one in four reconstructions shows its class beyond the control"),
    Threshold(RiskLevel.MODERATE, "inversion_gain", 0.10, "a measurable excess over chance and the untrained model"),
)

# Attribute inference: accuracy on the training records (members) minus imputing the attribute from the other
# columns without the model; at or below zero the attack is imputation, not leakage.
ATTRIBUTE_THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(RiskLevel.VERY_HIGH, "imputation_gain", 0.25, "one in four members' values recovered beyond imputation"),
    Threshold(RiskLevel.HIGH, "imputation_gain", 0.10, "one in ten members' values recovered beyond imputation"),
    Threshold(RiskLevel.MODERATE, "imputation_gain", 0.03, "a measurable excess over imputation"),
)


def high_rungs(thresholds: tuple[Threshold, ...]) -> dict[str, float]:
    """Each figure's High threshold: ``{"auc": 0.65, ...}`` for the membership ladder."""
    return {t.figure: t.at for t in thresholds if t.level is RiskLevel.HIGH}
