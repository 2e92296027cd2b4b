"""Report sections; importing this package registers the built-in ones.

Membership inference, defences, API attacks (extraction, property inference), synthetic data, federated learning,
model inversion and attribute inference.
"""

from leakpro.report.sections import (  # noqa: F401
    api,
    defences,
    dp_audit,
    federated,
    generators,
    inversion,
    llm,
    membership,
    synthetic,
)
from leakpro.report.sections.base import (
    QUESTIONS,
    Section,
    SectionContent,
    SummaryRow,
    register_section,
    registered_sections,
)

__all__ = ["QUESTIONS", "Section", "SectionContent", "SummaryRow", "register_section", "registered_sections"]
