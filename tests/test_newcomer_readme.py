"""What a newcomer reads first: the README's timings say where they were measured, and its config example names
the report (issue 15, items 9 and 13)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from leakpro.config.schema import AuditConfig

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _paragraphs() -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", README)]


def test_every_timing_says_on_what_machine_and_load_it_was_measured() -> None:
    timed = [p for p in _paragraphs() if re.search(r"\b\d+(\.\d+)? ?(min|minutes)\b", p)]
    assert len(timed) >= 2, "the demo's and the tests' timings"
    for p in timed:
        assert "measured" in p.lower() and "2-core" in p and "other jobs running" in p, p
    assert not re.search(r"about \d+ minutes", README)  # an estimate without its machine


def test_the_config_example_is_valid_and_names_the_report() -> None:
    block = README.split("## Auditing your own model")[1].split("```yaml")[1].split("```")[0]
    config = AuditConfig.model_validate(yaml.safe_load(block))
    assert config.name == "patients-rf-2025"
    assert "name:" in block and "title" in block.split("name:")[1].splitlines()[0]
