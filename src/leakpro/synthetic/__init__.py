"""Privacy audit of synthetic tables: singling out, linkability, inference and membership inference.

The attacks follow Giomi et al. (2023), van Breugel et al. (2023, DOMIAS) and Stadler et al. (2022, DCR);
each is its own module. :func:`audit_synthetic` runs them all against ORI (the data the generator was fit
on), CONTROL (real data it never saw) and a random-guess baseline. :func:`audit_generator` audits the generator
itself (shadow-modelling membership inference per target record, and an ε lower bound for a stated DP claim).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leakpro.synthetic.generator import GeneratorSpec
    from leakpro.synthetic.generator_audit import audit_generator
    from leakpro.synthetic.runner import audit_synthetic
    from leakpro.synthetic.shadow import ShadowSettings

__all__ = ["GeneratorSpec", "ShadowSettings", "audit_generator", "audit_synthetic"]


def __getattr__(name: str) -> Any:
    if name == "audit_synthetic":
        from leakpro.synthetic.runner import audit_synthetic

        return audit_synthetic
    if name == "audit_generator":
        from leakpro.synthetic.generator_audit import audit_generator

        return audit_generator
    if name == "GeneratorSpec":
        from leakpro.synthetic.generator import GeneratorSpec

        return GeneratorSpec
    if name == "ShadowSettings":
        from leakpro.synthetic.shadow import ShadowSettings

        return ShadowSettings
    raise AttributeError(f"module 'leakpro.synthetic' has no attribute {name!r}")
