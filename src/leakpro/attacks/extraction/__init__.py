"""Model extraction through a prediction API: knockoff surrogates and equation solving; one module per attack.

``run_extraction`` extracts and judges (fidelity and accuracy against queries, Wilson intervals);
:func:`leakpro.audit.surrogate_membership.surrogate_membership_gain` shows how a stolen surrogate strengthens
membership inference (it combines this family with the membership family, so it lives in the audit layer).
"""

from leakpro.attacks.extraction.base import EXTRACTION_ATTACKS, ExtractionAttack, ExtractionRun
from leakpro.attacks.extraction.equation_solving import EquationSolving
from leakpro.attacks.extraction.evaluate import evaluate_extraction, run_extraction
from leakpro.attacks.extraction.knockoff import KnockoffExtraction
from leakpro.attacks.extraction.results import ExtractionResult, SurrogateMembershipResult

__all__ = ["EXTRACTION_ATTACKS", "EquationSolving", "ExtractionAttack", "ExtractionResult", "ExtractionRun",
           "KnockoffExtraction", "SurrogateMembershipResult", "evaluate_extraction", "run_extraction"]
