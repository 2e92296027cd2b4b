"""The realistic API attacker: model extraction and property inference, from results.json (issue 8).

Reads ``extraction`` ({"extraction": ExtractionResult, "surrogate_membership": SurrogateMembershipResult}) and
``property_inference`` (PropertyInferenceResult); either may be absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from leakpro.attacks.extraction.results import ExtractionResult, SurrogateMembershipResult
from leakpro.attacks.property.results import PropertyInferenceResult
from leakpro.report import figures, fmt
from leakpro.report.inputs import ReportInputs
from leakpro.report.sections.base import SectionContent, register_section

ACCESS = {
    "api-labels": "the API's labels only",
    "api-scores": "the API's scores",
    "surrogate-scores": "scores of the stolen copy",
}
PROPERTY_ACCESS = {"black_box": "black box (outputs on a fixed query set)", "white_box": "white box (the weights)"}


@dataclass(frozen=True)
class ExtractionView:
    """The extraction curve and what the stolen copy adds to membership inference."""

    result: ExtractionResult
    membership: SurrogateMembershipResult | None
    curve: figures.Figure


@dataclass(frozen=True)
class PropertyView:
    """Property inference with the guess for the audited target."""

    result: PropertyInferenceResult
    guess: float | None  # t1 when P(t1) ≥ ½, else t0

    @property
    def guess_right(self) -> bool | None:
        """Whether the guess is the nearer of t0 and t1 to the target's true fraction."""
        r = self.result
        if self.guess is None or r.target_fraction is None:
            return None
        nearer = r.t1 if abs(r.target_fraction - r.t1) < abs(r.target_fraction - r.t0) else r.t0
        return self.guess == nearer


def _triple(i: Any) -> tuple[float, float, float]:
    return i.value, i.low, i.high


def extraction_view(data: dict[str, Any]) -> ExtractionView | None:
    """Parse results.json's ``extraction`` and draw its curve; ``None`` when it holds no extraction."""
    if not isinstance(data.get("extraction"), dict):
        return None
    result = ExtractionResult.model_validate(data["extraction"])
    membership = (SurrogateMembershipResult.model_validate(data["surrogate_membership"])
                  if isinstance(data.get("surrogate_membership"), dict) else None)
    x = [p.queries for p in result.curve]
    curve = figures.extraction_figure(
        [figures.CurveSeries("fidelity: agrees with the target", x, [_triple(p.fidelity) for p in result.curve],
                             figures.MEMBER_COLOUR),
         figures.CurveSeries("accuracy on the true labels", x, [_triple(p.accuracy) for p in result.curve],
                             figures.TARGET_COLOUR)],
        [("target's own accuracy", result.target_accuracy.value, "--"),
         ("majority-label baseline (fidelity)", result.baseline_fidelity, ":")],
    )
    return ExtractionView(result, membership, curve)


def property_view(data: dict[str, Any] | None) -> PropertyView | None:
    """Parse results.json's ``property_inference``."""
    if not isinstance(data, dict):
        return None
    r = PropertyInferenceResult.model_validate(data)
    guess = None if r.target_p_t1 is None else (r.t1 if r.target_p_t1 >= 0.5 else r.t0)
    return PropertyView(r, guess)


def _overview(extraction: ExtractionView | None, prop: PropertyView | None) -> str:
    parts = []
    if extraction is not None:
        e = extraction.result
        parts.append(f"model extraction through the API ({e.title}, {e.queries:,} queries)")
    if prop is not None:
        parts.append(f"property inference ({prop.result.property}, {fmt.pct(prop.result.t0, 0)} vs "
                     f"{fmt.pct(prop.result.t1, 0)})")
    return f"<p><b>API attacks:</b> {'; '.join(parts)}.</p>" if parts else ""


class ApiSection:
    """What an attacker who can only query the API steals (a working copy) and infers (a dataset property)."""

    key = "api"
    title = "API attacks: model extraction and property inference"
    order = 20

    def applies(self, inputs: ReportInputs) -> bool:
        r = inputs.result
        return r is not None and (r.extraction is not None or r.property_inference is not None)

    def build(self, inputs: ReportInputs, env: jinja2.Environment) -> SectionContent:
        result = inputs.audit
        extraction = extraction_view(result.extraction or {})
        prop = property_view(result.property_inference)
        body = env.get_template("api.html.j2").render(ex=extraction, prop=prop, access=ACCESS,
                                                      property_access=PROPERTY_ACCESS)
        toc = [("api-extraction", "Model extraction")] if extraction else []
        toc += [("api-property", "Property inference")] if prop else []
        return SectionContent(self.key, self.title, body, [], "", toc, _overview(extraction, prop))


register_section(ApiSection)
