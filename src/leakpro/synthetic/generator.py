"""Generators as audit targets: "fit on a table, sample n rows", named by a validated :class:`GeneratorSpec`.

A generator audit (:mod:`leakpro.synthetic.shadow`) runs the generator many times, on shadow tables with and
without a target record, so the generator is given as a *spec* (picklable data, rebuilt in each worker) rather
than an object. Kinds:

* built-ins, registered by name (:data:`GENERATORS`): ``noisy_copy``, ``copula`` (empirical marginals),
  ``copula_smooth`` (smoothed, k-thresholded marginals), ``dp_marginals`` (ε-DP, stated ε in ``params``) and
  ``dp_marginals_broken`` (the same stated ε with 10× too little noise, to show the audit catches it);
* ``callable``: ``target: "package.module:function"``, called as ``function(frame, n, seed=seed, **params)``
  and returning a DataFrame with the table's columns;
* ``command``: any program, in any environment (an SDV or smartnoise venv, R, a container), called once per
  run as ``command`` with ``{input}``, ``{output}``, ``{n}`` and ``{seed}`` replaced: it reads the training
  table as CSV from ``{input}`` and writes ``{n}`` synthetic rows as CSV to ``{output}``.

``epsilon``/``delta`` state a DP claim for ``callable`` and ``command`` generators (the DP built-ins state
theirs through ``params.epsilon``); a generator with a stated ε gets the ε lower-bound audit.

>>> spec = GeneratorSpec(kind="dp_marginals", params={"epsilon": 4})
>>> generator_problems(spec), stated_privacy(spec)
([], (4.0, 0.0))
"""

from __future__ import annotations

import importlib
import inspect
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from leakpro.registry import Registry
from leakpro.synthetic.domain import Domain
from leakpro.synthetic.dp_marginals import DPMarginals
from leakpro.synthetic.generators import GaussianCopula, NoisyCopy

PLACEHOLDERS = ("{input}", "{output}")


class Generator(Protocol):
    """What a built-in generator is: ``fit(table)`` then ``sample(n)``."""

    def fit(self, frame: pd.DataFrame) -> Any:
        """Learn from the training table."""
        ...

    def sample(self, n: int) -> pd.DataFrame:
        """``n`` synthetic rows with the training table's columns."""
        ...


# A built-in: (params, public domain, random_state) -> a fresh generator. DP built-ins need the domain.
Factory = Callable[[dict[str, Any], Domain, int], Generator]
GENERATORS: Registry[tuple[Factory, Callable[..., Any]]] = Registry("generator")
"""Built-in generators: name -> (factory, the class whose keyword arguments ``params`` may set)."""


def register_generator(name: str, factory: Factory, params_of: Callable[..., Any]) -> None:
    """Register a built-in under ``name``; ``params_of`` names the accepted ``params`` (its keyword arguments)."""
    GENERATORS.add(name, (factory, params_of))


register_generator("noisy_copy", lambda p, d, s: NoisyCopy(**p, random_state=s), NoisyCopy)
register_generator("copula", lambda p, d, s: GaussianCopula(**{"smooth": False, **p}, random_state=s),
                   GaussianCopula)
register_generator("copula_smooth", lambda p, d, s: GaussianCopula(**{"smooth": True, **p}, random_state=s),
                   GaussianCopula)
register_generator("dp_marginals", lambda p, d, s: DPMarginals(**p, domain=d, random_state=s), DPMarginals)
register_generator("dp_marginals_broken",
                   lambda p, d, s: DPMarginals(**p, noise_multiplier=0.1, domain=d, random_state=s), DPMarginals)
DP_BUILTINS = ("dp_marginals", "dp_marginals_broken")


class GeneratorSpec(BaseModel):
    """The ``synthetic.generator`` config section (see the module)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    name: str | None = None  # a display name (default: the kind and its params)
    params: dict[str, Any] = Field(default_factory=dict)
    target: str | None = None
    command: list[str] | str | None = None
    epsilon: float | None = Field(default=None, gt=0)
    delta: float = Field(default=0.0, ge=0, lt=1)
    bins: int = Field(default=10, ge=2, le=200)
    timeout_s: float = Field(default=600.0, gt=0)

    @property
    def label(self) -> str:
        """A short name for tables and reports (``dp_marginals(epsilon=4)``)."""
        if self.name:
            return self.name
        inner = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        base = {"callable": self.target or "callable", "command": "command"}.get(self.kind, self.kind)
        return f"{base}({inner})" if inner else base

    def argv(self) -> list[str]:
        """The command as a list of arguments."""
        if self.command is None:
            return []
        return shlex.split(self.command) if isinstance(self.command, str) else list(self.command)


def _accepted(params_of: Callable[..., Any]) -> set[str]:
    sig = inspect.signature(params_of)
    return {n for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD}


def generator_problems(spec: GeneratorSpec, where: str = "synthetic.generator", *, trusted: bool = True) -> list[str]:
    """Every problem with ``spec``, each naming the field, what was expected, what was given and the fix.

    A ``callable`` or ``command`` generator runs the user's code; with ``trusted=False`` that is a problem (the
    callable is not even imported), as for any config that names code to import."""
    problems: list[str] = []
    if spec.kind in ("callable", "command") and not trusted:
        return [f"{where}.kind: {spec.kind!r} runs code named in the config; fix: pass --trust if you trust it"]
    if spec.kind == "callable":
        if not spec.target or ":" not in spec.target:
            problems.append(f"{where}.target: expected 'package.module:function', got {spec.target!r}; fix: name "
                            "a function (frame, n, seed=...) -> DataFrame")
        else:
            try:
                resolve_callable(spec.target)
            except (ImportError, AttributeError, TypeError) as exc:
                problems.append(f"{where}.target: cannot load {spec.target!r} ({exc}); fix: check the module is "
                                "importable and the function exists")
    elif spec.kind == "command":
        argv = spec.argv()
        if not argv:
            problems.append(f"{where}.command: required for kind 'command'; fix: give the program and its arguments")
        missing = [p for p in PLACEHOLDERS if not any(p in a for a in argv)]
        if argv and missing:
            problems.append(f"{where}.command: lacks {missing}; fix: the command must read the training CSV from "
                            "{input} and write the synthetic CSV to {output} (also available: {n}, {seed})")
    elif spec.kind not in GENERATORS:
        problems.append(f"{where}.kind: {GENERATORS.unknown(spec.kind)}, 'callable' or 'command'")
    else:
        accepted = _accepted(GENERATORS.get(spec.kind)[1]) - {"random_state", "domain", "noise_multiplier"}
        for key in sorted(set(spec.params) - accepted):
            problems.append(f"{where}.params.{key}: not a parameter of {spec.kind!r}; fix: use one of "
                            f"{sorted(accepted)}")
        if spec.kind in DP_BUILTINS:
            eps = spec.params.get("epsilon")
            if not isinstance(eps, int | float) or isinstance(eps, bool) or eps <= 0:
                problems.append(f"{where}.params.epsilon: expected a positive number (the stated ε), got {eps!r}; "
                                "fix: e.g. params: {epsilon: 1.0}")
        if spec.epsilon is not None and spec.kind in DP_BUILTINS:
            problems.append(f"{where}.epsilon: the DP built-ins state ε in params.epsilon; fix: remove "
                            f"{where}.epsilon")
    if spec.kind not in ("callable", "command"):
        if spec.target is not None:
            problems.append(f"{where}.target: only for kind 'callable'; fix: remove it")
        if spec.command is not None:
            problems.append(f"{where}.command: only for kind 'command'; fix: remove it")
    return problems


def stated_privacy(spec: GeneratorSpec) -> tuple[float, float] | None:
    """The (ε, δ) the generator claims, or ``None`` when it makes no DP claim."""
    if spec.kind in DP_BUILTINS:
        return float(spec.params["epsilon"]), 0.0
    return (float(spec.epsilon), spec.delta) if spec.epsilon is not None else None


def resolve_callable(target: str) -> Callable[..., pd.DataFrame]:
    """The function named ``package.module:function``."""
    module, _, name = target.partition(":")
    fn = getattr(importlib.import_module(module), name)
    if not callable(fn):
        raise TypeError(f"{target} is not callable")
    return fn


def run_command(spec: GeneratorSpec, frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """Run a ``command`` generator once: CSV in, CSV out, in a fresh temporary directory."""
    with tempfile.TemporaryDirectory(prefix="leakpro-gen-") as tmp:
        src, dst = Path(tmp) / "train.csv", Path(tmp) / "synthetic.csv"
        frame.to_csv(src, index=False)
        fill = {"{input}": str(src), "{output}": str(dst), "{n}": str(n), "{seed}": str(seed)}
        argv = []
        for arg in spec.argv():
            for key, value in fill.items():
                arg = arg.replace(key, value)
            argv.append(arg)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=spec.timeout_s, check=False)
        if done.returncode != 0 or not dst.is_file():
            raise RuntimeError(f"generator command {argv[0]!r} failed (exit {done.returncode}): "
                               f"{done.stderr.strip()[-500:] or 'no output file written'}")
        return pd.read_csv(dst)


def fit_sample(spec: GeneratorSpec, frame: pd.DataFrame, n: int, seed: int, domain: Domain) -> pd.DataFrame:
    """Fit the generator of ``spec`` on ``frame`` and sample ``n`` rows (``domain``: the public domain)."""
    if spec.kind == "callable":
        out = resolve_callable(str(spec.target))(frame, n, seed=seed, **spec.params)
    elif spec.kind == "command":
        out = run_command(spec, frame, n, seed)
    else:
        factory = GENERATORS.get(spec.kind)[0]
        gen = factory(dict(spec.params), domain, seed)
        gen.fit(frame)
        out = gen.sample(n)
    if not isinstance(out, pd.DataFrame) or len(out) != n:
        raise ValueError(f"generator {spec.label} returned {type(out).__name__} of "
                         f"{len(out) if hasattr(out, '__len__') else '?'} rows; expected a DataFrame of {n} rows")
    missing = [c for c in frame.columns if c not in out.columns]
    if missing:
        raise ValueError(f"generator {spec.label} output lacks columns {missing}")
    return out[list(frame.columns)]
