"""LeakPro: measure how much sensitive data leaks from what an organisation shares.

The package imports its heavy dependencies lazily so that ``leakpro --help`` stays fast.
``leakpro.audit(...)`` runs a membership-inference audit from a config (see :mod:`leakpro.audit.runner`);
``leakpro.audit_model(...)``, ``leakpro.audit_synthetic(...)`` and ``leakpro.audit_llm(...)`` audit objects held in
memory, for notebooks
(see :mod:`leakpro.notebook`), and ``leakpro.load_result(dir)`` reads a saved result back.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

from leakpro import audit
from leakpro.version import __version__

__all__ = ["__version__", "audit", "audit_llm", "audit_model", "audit_synthetic", "load_result"]


_NOTEBOOK = ("audit_llm", "audit_model", "audit_synthetic", "load_result")

if TYPE_CHECKING:
    from leakpro.notebook import audit_llm, audit_model, audit_synthetic, load_result


def __getattr__(name: str) -> Any:
    """``audit_model``, ``audit_synthetic``, ``audit_llm`` and ``load_result`` of :mod:`leakpro.notebook`, imported
    on first use (with their full signatures) so that ``leakpro --help`` does not import the report's dependencies."""
    if name in _NOTEBOOK:
        import leakpro.notebook

        return getattr(leakpro.notebook, name)
    raise AttributeError(f"module 'leakpro' has no attribute {name!r}")


class _CallableAudit(types.ModuleType):
    """The subpackage :mod:`leakpro.audit`, also callable as the audit itself.

    A package attribute cannot be both a function and a subpackage of the same name: importing the subpackage for
    the first time sets it as the attribute, so a function ``leakpro.audit`` worked once per process (its lazy
    import of :mod:`leakpro.audit.runner` replaced it). The subpackage (its ``__init__`` is a docstring) is loaded
    with :mod:`leakpro` instead and made callable, so ``leakpro.audit(...)`` works any number of times and
    ``import leakpro.audit.runner`` keeps working.
    """

    def __call__(self, config: Any, *, out: Any = None, cache_dir: Any = None, progress: Any = None) -> Any:
        """Run a membership-inference audit; see :func:`leakpro.audit.runner.run_audit`."""
        from leakpro.audit.runner import run_audit

        return run_audit(config, out=out, cache_dir=cache_dir, progress=progress)


audit.__class__ = _CallableAudit
