"""Model extraction through a prediction API: knockoff surrogates and equation solving; one module per attack.

``run_extraction`` extracts and judges (fidelity and accuracy against queries, Wilson intervals);
``surrogate_membership_gain`` shows how a stolen surrogate strengthens membership inference.
"""

from leakpro.attacks.extraction.base import ExtractionAttack, ExtractionRun
from leakpro.attacks.extraction.equation_solving import EquationSolving
from leakpro.attacks.extraction.evaluate import evaluate_extraction, run_extraction
from leakpro.attacks.extraction.knockoff import KnockoffExtraction
from leakpro.attacks.extraction.membership import surrogate_membership_gain
from leakpro.attacks.extraction.results import ExtractionResult, SurrogateMembershipResult

EXTRACTION_ATTACKS: dict[str, type[ExtractionAttack]] = {
    KnockoffExtraction.name: KnockoffExtraction,
    EquationSolving.name: EquationSolving,
}

__all__ = ["EXTRACTION_ATTACKS", "EquationSolving", "ExtractionAttack", "ExtractionResult", "ExtractionRun",
           "KnockoffExtraction", "SurrogateMembershipResult", "evaluate_extraction", "run_extraction",
           "surrogate_membership_gain"]
