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
```
Relative paths start from the config file's directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leakpro.synthetic.errors import SyntheticInputError


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


def parse_synthetic_config(raw: dict[str, Any], base: Path) -> SyntheticSpec:
    """Validate the ``synthetic`` section (every problem at once) and resolve its paths against ``base``."""
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
    if problems:
        raise SyntheticInputError(problems)
    return spec.model_copy(update={k: base / getattr(spec, k) for k in ("real", "synthetic", "control")})
