"""Report sections; importing this package registers the built-in ones (membership, synthetic data)."""

from leakpro.report.sections import membership, synthetic  # noqa: F401
from leakpro.report.sections.base import (
    QUESTIONS,
    Section,
    SectionContent,
    SummaryRow,
    register_section,
    registered_sections,
)

__all__ = ["QUESTIONS", "Section", "SectionContent", "SummaryRow", "register_section", "registered_sections"]
