"""The section contract and its registry: a report is the registered sections that apply to its inputs.

A section turns :class:`~leakpro.report.inputs.ReportInputs` into a :class:`SectionContent`: its body (HTML
from its own template), the rows it contributes to page one's risk table, and its appendix. New audits
(defences, API attacks, federated, ...) add a module with one section class and register it; the page frame stays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import jinja2

from leakpro.registry import Registry
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import Assessment


@dataclass(frozen=True)
class SummaryRow:
    """One question on page one: its level with interval, the evidence, and the null control beside it."""

    question: str  # a key of QUESTIONS
    assessment: Assessment | None
    evidence: str  # HTML: the deciding figure with its interval
    control: str = ""  # HTML: what no leakage looks like (null control / baseline)
    link: str = ""  # anchor of the section with the details
    headline: str = ""  # the verdict box's label when this row heads page one, e.g. "Overall membership risk"
    meaning: str = ""  # HTML: what the level means, for the verdict box


@dataclass(frozen=True)
class SectionContent:
    """What one section adds to the report."""

    key: str
    title: str
    body: str
    summary: list[SummaryRow] = field(default_factory=list)
    appendix: str = ""
    toc: list[tuple[str, str]] = field(default_factory=list)  # (anchor, title) of subsections
    overview: str = ""  # HTML for page one: what was audited
    how: str = ""  # HTML for page one: how this section's levels are derived (one paragraph)


class Section(Protocol):
    """A report section. ``order`` places it; ``applies`` says whether the inputs hold its results."""

    key: str
    title: str
    order: int

    def applies(self, inputs: ReportInputs) -> bool: ...

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent: ...


# The questions of page one, in order; a question no section answers is shown as "not assessed".
QUESTIONS: dict[str, str] = {
    "membership": "Membership: can an attacker tell who was in the training data?",
    "reconstruction": "Reconstruction: can training records be rebuilt (model or gradient inversion)?",
    "singling_out": "Synthetic data — singling out: can a real person be isolated?",
    "linkability": "Synthetic data — linkability: can records of a person be linked?",
    "inference": "Synthetic data — inference: can a hidden attribute of a person be deduced?",
    "synthetic_membership": "Synthetic data — membership: can an attacker tell whose records made it?",
}

_SECTIONS: Registry[Callable[[], Section]] = Registry("report section")


def register_section(factory: Callable[[], Section]) -> Callable[[], Section]:
    """Register a section class (or factory) under its ``key``; a key registered twice is an error."""
    return _SECTIONS.add(factory().key, factory)


def registered_sections() -> list[Section]:
    """Fresh instances of every registered section, in page order."""
    return sorted((f() for f in _SECTIONS.values()), key=lambda s: s.order)
