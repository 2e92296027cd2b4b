"""The DP-SGD audit section: bounds beside the claim, "claim violated" only where a bound exceeds it."""

from __future__ import annotations

import dataclasses
import html as html_lib
import re
from pathlib import Path

from leakpro.report.inputs import load_inputs
from leakpro.report.render import render_html
from leakpro.results.dp_audit import DPAuditResult, DPBound


def _audit(mechanism: str, claim: float, bounds: list[tuple[str, float]]) -> DPAuditResult:
    return DPAuditResult(
        variant="target", mechanism=mechanism, claimed_epsilon=claim, delta=1e-5, confidence=0.95, canaries=5000,
        canary_norm=10.0, runs=1, included=2493, noise_multiplier=1.229, sample_rate=0.1, steps=50,
        max_grad_norm=1.0, seed=11, claim_violated=any(v > claim for _, v in bounds),
        assumptions=["every_update: the auditor observes the privatised gradient of every step."],
        bounds=[DPBound(observed=o, analysis="one_run", epsilon_lower_bound=v, guesses=200, correct=170, tried=1,  # type: ignore[arg-type]
                        calibration=1250, in_only=o == "final_model", false_positives=None, claim_violated=v > claim)
                for o, v in bounds],
    )


def test_dp_audit_section_states_the_claim_and_flags_only_violations(results_dir: Path) -> None:
    inputs = load_inputs(results_dir / "results.json")
    assert inputs.result is not None
    audits = [_audit("as configured", 3.997, [("every_update", 1.046), ("final_model", 0.939)]),
              _audit("noise_10x_small", 3.997, [("every_update", 4.447), ("final_model", 3.5)])]
    inputs = dataclasses.replace(inputs, result=inputs.result.model_copy(update={"dp_audit": audits}))
    page = html_lib.unescape(re.sub(r"\s+", " ", render_html(inputs)))
    section = page[page.index('data-testid="dp-audit-table"'):]
    rows = re.findall(r"<tr[^>]*>.*?</tr>", section[: section.index("</table>")])[1:]
    assert len(rows) == 4
    assert ["claim violated" in r for r in rows] == [False, False, True, False]
    assert "planted bug: noise 10x small" in section and "every update" in section and "final model only" in section
    assert "ε ≥ 4.45" in section or "ε ≥ 4.447" in section
    assert "no claimed ε contradicted; planted bugs caught: 1 of 1" in page
    assert '170 of 200 (all "in")' in section and "1250 of them only choose the guesses" in section
