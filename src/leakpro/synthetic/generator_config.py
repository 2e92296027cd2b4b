"""The generator audit through an audit config: a ``synthetic:`` section with a ``generator:`` subsection.

```yaml
synthetic:
  real: adult.csv                 # real records of the population: targets, shadow and evaluation tables
  generator:
    kind: dp_marginals            # noisy_copy | copula | copula_smooth | dp_marginals | dp_marginals_broken
    params: {epsilon: 1.0}        #   | callable (target: "pkg.mod:fn") | command (command: [...{input}...])
  shadow: {targets: 5, random_targets: 5, rows: 300, train_tables: 100, eval_tables: 100}
  epsilon_seeds: 3                # ε audits on independent seeds (DP generators)
  executor: {kind: process, workers: 2}
  seed: 0
```
Everything is validated before anything runs, and every problem is reported at once. Relative paths start from
the config file's directory.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leakpro.config.schema import ExecutorSpec
from leakpro.synthetic.errors import SyntheticInputError
from leakpro.synthetic.generator import GeneratorSpec, generator_problems
from leakpro.synthetic.io import file_problems
from leakpro.synthetic.shadow import ShadowSettings


class GeneratorAuditSpec(BaseModel):
    """The ``synthetic`` section of a generator audit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    real: Path
    generator: GeneratorSpec
    shadow: ShadowSettings = Field(default_factory=ShadowSettings)
    epsilon_seeds: int = Field(default=1, ge=1, le=20)
    executor: ExecutorSpec = Field(default_factory=lambda: ExecutorSpec.model_validate({}))
    seed: int = 0


def is_generator_config(raw: Any) -> bool:
    """Whether a parsed YAML asks for a generator-only audit (``synthetic.generator`` without a synthetic table;
    with ``synthetic`` and ``control`` too, the table audit runs and then the generator audit)."""
    section = raw.get("synthetic") if isinstance(raw, dict) else None
    return isinstance(section, dict) and "generator" in section and not {"synthetic", "control"} & set(section)


def parse_generator_config(raw: dict[str, Any], base: Path, *, trusted: bool = True) -> GeneratorAuditSpec:
    """Validate the section (every problem at once: fields, generator, files) and resolve ``real`` against ``base``.

    ``trusted=False`` (the CLI without ``--trust``) refuses ``callable`` and ``command`` generators."""
    problems = [f"{key}: unknown key beside 'synthetic'; fix: remove it" for key in sorted(set(raw) - {"synthetic"})]
    try:
        spec = GeneratorAuditSpec.model_validate(raw.get("synthetic") or {})
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(["synthetic", *map(str, err["loc"])])
            problems.append(f"{loc}: {err['msg']} (got {err.get('input')!r}); fix: see the generator config example "
                            "in leakpro.synthetic.generator_config")
        raw_gen = (raw.get("synthetic") or {}).get("generator")
        with contextlib.suppress(ValidationError):  # a malformed generator section is already listed above
            problems += generator_problems(GeneratorSpec.model_validate(raw_gen), trusted=trusted)
        raise SyntheticInputError(problems) from exc
    spec = spec.model_copy(update={"real": base / spec.real})
    problems += generator_problems(spec.generator, trusted=trusted)
    problems += [f"synthetic.{p}" for p in file_problems({"real": spec.real})]
    if spec.shadow.targets + spec.shadow.random_targets < 1:
        problems.append("synthetic.shadow: targets + random_targets is 0; fix: audit at least one target")
    if problems:
        raise SyntheticInputError(problems)
    return spec
