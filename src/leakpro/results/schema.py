"""The JSON Schemas of ``results.json`` and ``llm_results.json``, generated from the result models and committed
beside them.

Regenerate after changing a result model: ``python -m leakpro.results.schema``; a test fails when a committed file
and its models disagree.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from leakpro.results.llm import LLMAuditResult
from leakpro.results.types import AuditResult

SCHEMA_FILE = "results.schema.json"
LLM_SCHEMA_FILE = "llm_results.schema.json"
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    SCHEMA_FILE: (AuditResult, "LeakPro membership audit results"),
    LLM_SCHEMA_FILE: (LLMAuditResult, "LeakPro language-model audit results (llm_results.json)"),
}


def generated_schema(name: str = SCHEMA_FILE) -> dict[str, Any]:
    model, title = SCHEMAS[name]
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


def committed_schema(name: str = SCHEMA_FILE) -> dict[str, Any]:
    text = resources.files("leakpro.results").joinpath(name).read_text()
    return dict(json.loads(text))


def validate_results(data: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when ``data`` does not follow the schema."""
    import jsonschema

    jsonschema.validate(data, committed_schema())


def validate_llm_results(data: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when ``data`` (an ``llm_results.json``) does not follow its schema."""
    import jsonschema

    jsonschema.validate(data, committed_schema(LLM_SCHEMA_FILE))


if __name__ == "__main__":
    for name in SCHEMAS:
        path = Path(__file__).with_name(name)
        path.write_text(json.dumps(generated_schema(name), indent=2) + "\n")
        print(f"wrote {path}")
