"""Property inference: does the training set have property fraction t0 or t1? (Ganju et al. 2018)."""

from leakpro.attacks.property.evaluate import evaluate_property_inference
from leakpro.attacks.property.ganju import PropertyInference
from leakpro.attacks.property.results import PropertyInferenceResult

__all__ = ["PropertyInference", "PropertyInferenceResult", "evaluate_property_inference"]
