"""``leakpro.audit(...)`` from Python, as a notebook calls it: more than once per process (issue 15, item 6)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# Each case runs in a fresh interpreter: the bug showed only on the first import of leakpro.audit's submodules.
TWICE = textwrap.dedent("""
    import sys
    import leakpro
    cfg = {"seed": 1, "data": {"builtin": "adult", "split": {"candidates": 200, "population": 100}},
           "target": {"kind": "torch", "train": True, "recipe": {"model": "logistic", "epochs": 2, "batch_size": 64}},
           "attacks": ["loss"]}
    first = leakpro.audit(cfg, out=sys.argv[1] + "/first")
    second = leakpro.audit(cfg, out=sys.argv[1] + "/second")
    print(first.targets[0].attacks[0].auc.value == second.targets[0].attacks[0].auc.value)
""")

SUBMODULES_FIRST = textwrap.dedent("""
    import leakpro.audit.runner as runner
    from leakpro.audit import plan
    import leakpro
    from leakpro.config.errors import ConfigError
    for _ in range(2):
        try:
            leakpro.audit({"seed": 1})
        except ConfigError as exc:
            print("ConfigError", "data" in str(exc))
    print(runner.run_audit.__module__, plan.__name__, leakpro.audit.runner is runner)
""")


def _python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_audit_twice_in_one_process(tmp_path: Path) -> None:
    assert _python(TWICE, str(tmp_path)).split() == ["True"]
    assert (tmp_path / "first" / "results.json").is_file() and (tmp_path / "second" / "results.json").is_file()


def test_audit_after_importing_its_submodules() -> None:
    """``leakpro.audit`` stays both callable and the subpackage, whichever is touched first."""
    assert _python(SUBMODULES_FIRST).splitlines() == [
        "ConfigError True", "ConfigError True", "leakpro.audit.runner leakpro.audit.plan True"]
