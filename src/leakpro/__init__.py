"""LeakPro: measure how much sensitive data leaks from what an organisation shares.

The package imports its heavy dependencies lazily so that ``leakpro --help`` stays fast.
``leakpro.audit`` runs a membership-inference audit from a config (see :mod:`leakpro.audit`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "audit"]


def audit(config: Any, *, out: Any = None, cache_dir: Any = None, progress: Any = None) -> Any:
    """Run a membership-inference audit; see :func:`leakpro.audit.runner.run_audit`."""
    from leakpro.audit.runner import run_audit

    return run_audit(config, out=out, cache_dir=cache_dir, progress=progress)
