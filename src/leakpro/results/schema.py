"""The JSON Schema of ``results.json``, generated from the result models and committed beside them.

Regenerate after changing a result model: ``python -m leakpro.results.schema``; a test fails when the
committed file and the models disagree.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from leakpro.results.types import AuditResult

SCHEMA_FILE = "results.schema.json"


def generated_schema() -> dict[str, Any]:
    schema = AuditResult.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "LeakPro membership audit results"
    return schema


def committed_schema() -> dict[str, Any]:
    text = resources.files("leakpro.results").joinpath(SCHEMA_FILE).read_text()
    return dict(json.loads(text))


def validate_results(data: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when ``data`` does not follow the schema."""
    import jsonschema

    jsonschema.validate(data, committed_schema())


if __name__ == "__main__":
    path = Path(__file__).with_name(SCHEMA_FILE)
    path.write_text(json.dumps(generated_schema(), indent=2) + "\n")
    print(f"wrote {path}")
