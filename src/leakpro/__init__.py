"""LeakPro: measure how much sensitive data leaks from what an organisation shares.

The package imports its heavy dependencies lazily so that ``leakpro --help`` stays fast.
``leakpro.audit(...)`` runs a membership-inference audit from a config (see :mod:`leakpro.audit.runner`).
"""

from __future__ import annotations

import types
from typing import Any

from leakpro import audit

__version__ = "0.1.0"

__all__ = ["__version__", "audit"]


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
