"""Privacy audit of synthetic tables: singling out, linkability, inference and membership inference.

The attacks follow Giomi et al. (2023), van Breugel et al. (2023, DOMIAS) and Stadler et al. (2022, DCR);
each is its own module. :func:`audit_synthetic` runs them all against ORI (the data the generator was fit
on), CONTROL (real data it never saw) and a random-guess baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leakpro.synthetic.runner import audit_synthetic

__all__ = ["audit_synthetic"]


def __getattr__(name: str) -> Any:
    if name == "audit_synthetic":
        from leakpro.synthetic.runner import audit_synthetic

        return audit_synthetic
    raise AttributeError(f"module 'leakpro.synthetic' has no attribute {name!r}")
