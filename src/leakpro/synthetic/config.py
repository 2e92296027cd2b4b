"""The synthetic-data audit through an audit config: a YAML with a top-level ``synthetic:`` section.

```yaml
synthetic:
  real: ori.csv            # the records the generator was fit on
  synthetic: syn.csv
  control: control.csv     # real records from the same population the generator never saw
  secrets: [income]        # optional
  aux_columns: [age, sex]  # optional
  column_types: {zip: categorical}
  n_attacks: 500
  seed: 0
  generator: {kind: copula}  # optional: also audit the generator on `real` (leakpro.synthetic.generator_config)
  shadow: {targets: 3}       # optional: its sizes
```
Relative paths start from the config file's directory. Without ``synthetic``/``control`` a section with a
``generator`` is a generator-only audit (:mod:`leakpro.synthetic.generator_config`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leakpro.synthetic.errors import SyntheticInputError
from leakpro.synthetic.generator import GeneratorSpec, generator_problems
from leakpro.synthetic.shadow import ShadowSettings


class SyntheticSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    real: Path
    synthetic: Path
    control: Path
    secrets: list[str] | None = None
    aux_columns: list[str] | None = None
    column_types: dict[str, str] | None = None
    n_attacks: int | None = Field(None, ge=1)
    seed: int = 0
    generator: GeneratorSpec | None = None
    shadow: ShadowSettings | None = None
    epsilon_seeds: int = Field(1, ge=1, le=20)


def parse_synthetic_config(raw: dict[str, Any], base: Path, *, trusted: bool = False) -> SyntheticSpec:
    """Validate the ``synthetic`` section (every problem at once) and resolve its paths against ``base``.

    A ``generator`` that runs code (``callable``, ``command``) needs ``trusted`` (the CLI's ``--trust``)."""
    extra = sorted(set(raw) - {"synthetic"})
    problems = [f"{key}: unknown key beside 'synthetic'; fix: remove it (a synthetic audit takes only the "
                "'synthetic' section)" for key in extra]
    try:
        spec = SyntheticSpec.model_validate(raw.get("synthetic") or {})
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(["synthetic", *map(str, err["loc"])])
            problems.append(f"{loc}: {err['msg']}; fix: see the synthetic config example in the README")
        raise SyntheticInputError(problems) from exc
    if spec.generator is not None:
        problems += generator_problems(spec.generator, trusted=trusted)
    if problems:
        raise SyntheticInputError(problems)
    return spec.model_copy(update={k: base / getattr(spec, k) for k in ("real", "synthetic", "control")})
