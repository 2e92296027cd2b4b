"""Page-one levels of the synthetic audit (issue 13, item 4): no wolf cried on an independent sample, a leak still
caught on a 1 %-noise copy, undefined risks that decide nothing, and a headline that is the worst question."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pandas as pd
import pytest

from leakpro.report.inputs import ReportInputs
from leakpro.report.render import environment, render_html, worst_row
from leakpro.report.risk import Assessment, RiskLevel
from leakpro.report.sections.base import SectionContent, SummaryRow
from leakpro.report.sections.synthetic import SyntheticSection
from leakpro.synthetic import audit_synthetic
from leakpro.synthetic.generators import NoisyCopy
from leakpro.synthetic.results import attack_result, in_family

Parts = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
HIGH = {RiskLevel.HIGH, RiskLevel.VERY_HIGH}


def _inputs(data: dict[str, Any]) -> ReportInputs:
    return ReportInputs(results_path=None, result=None, scores={}, frame=None, extras={"synthetic": data})


def _section(data: dict[str, Any]) -> SectionContent:
    return SyntheticSection().build(_inputs(data), environment())


def _levels(data: dict[str, Any]) -> dict[str, RiskLevel | None]:
    return {row.question: row.assessment.level if row.assessment else None for row in _section(data).summary}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_independent_sample_reads_no_high_level(adult_parts: Parts) -> None:
    """SYN is a third real sample (nothing copied): with every column a secret (~30 inference attacks), no question
    may read High or Very high (the old rule read the worst point estimate: inference High or Very high)."""
    ori, control, other = adult_parts
    result = audit_synthetic(ori, other, control, seed=0)
    levels = _levels(result.model_dump(mode="json"))
    assert set(levels) == {"singling_out", "linkability", "inference", "synthetic_membership"}
    assert not {q for q, level in levels.items() if level in HIGH}, levels
    inference = [a for a in result.attacks if a.attack == "inference"]
    assert {a.risk.simultaneous.family_size for a in inference if a.risk.simultaneous} == {len(inference)}


def test_noise_copy_still_reads_high(adult_parts: Parts) -> None:
    """ORI with 1 % noise: linkability, inference and membership must read High or Very high despite Bonferroni."""
    ori, control = (part.iloc[:1000] for part in adult_parts[:2])  # every level read High or Very high on 7 seeds
    syn = NoisyCopy(noise=0.01, flip=0.01, random_state=0).fit(ori).sample(len(ori))
    levels = _levels(audit_synthetic(ori, syn, control, seed=0).model_dump(mode="json"))
    for question in ("linkability", "inference", "synthetic_membership"):
        assert levels[question] in HIGH, levels


def _attack(attack: str, target: str | None, counts: tuple[int, int, int], n: int = 500) -> Any:
    return attack_result(attack=attack, variant="nearest" if attack == "inference" else "univariate", target=target,
                         params={}, counts=counts, trials=(n, n, n), exposed=[], findings=[], runtime_s=0.0)


def _data(*attacks: Any) -> dict[str, Any]:
    return {"attacks": [a.model_dump(mode="json") for a in in_family(list(attacks))], "membership": [], "seed": 1}


def test_undefined_risk_is_recorded_said_and_decides_nothing() -> None:
    saturated = _attack("inference", "education", (500, 498, 50))
    data = _data(saturated)
    risk = data["attacks"][0]["risk"]
    assert risk["value"] is None and risk["ci_low"] is None and risk["simultaneous"] is None
    assert risk["undefined_reason"].startswith("the control set already succeeds (498/500")
    content = _section(data)
    row = next(r for r in content.summary if r.question == "inference")
    assert row.assessment is None  # the old rule read a risk of 100 %: Very high
    text = _text(content.body)
    assert "undefined: the control set already succeeds (498/500" in text
    assert "so the synthetic table adds nothing measurable beyond what the population gives" in text
    assert "1 of 1 attacks have an undefined risk" in text
    assert "is undefined when the control already succeeds" in _text(content.appendix)
    # beside a measured attack, the family's level is the measured one's
    levels = _levels(_data(saturated, _attack("inference", "age", (100, 100, 5))))
    assert levels["inference"] == RiskLevel.LOW


def test_family_level_is_read_at_the_simultaneous_lower_end() -> None:
    """Risk 26.7 % (280 vs 200 of 500) alone: [10.9 %, 39.6 %], Moderate; among 30 attacks: [2.0 %, 45.1 %], Low up
    to High (the old rule read the point estimate: High). The section and its appendix say how it was chosen."""
    leak = _attack("inference", "age", (280, 200, 5))
    alone = _levels(_data(leak))["inference"]
    assert alone == RiskLevel.MODERATE
    others = [_attack("inference", f"c{i}", (200, 200, 5)) for i in range(29)]
    content = _section(_data(leak, *others))
    row = next(r for r in content.summary if r.question == "inference")
    assert row.assessment is not None and row.assessment.level == RiskLevel.LOW
    assert row.assessment.high == RiskLevel.HIGH
    assert ("read at the lower end of 95 % intervals made simultaneous over k = 30 attacks (Bonferroni: each "
            "attack's interval at 99.83 %)") in _text(content.body)
    assert "each attack's interval is taken at 1 − 0.05/k" in _text(content.appendix)
    assert "simultaneous over the k attacks of its family (Bonferroni" in content.how


def test_headline_is_the_worst_question_in_words_for_a_table() -> None:
    data = _data(_attack("singling_out", None, (100, 100, 5)), _attack("inference", "age", (450, 100, 5)))
    assert _levels(data)["singling_out"] == RiskLevel.LOW
    html = render_html(_inputs(data))
    assert 'data-testid="overall-level">Very high<' in html  # the first question (singling out) reads Low
    box = _text(html[html.index('class="verdict '):html.index("</div>\n  <h2")])
    assert "Synthetic table: highest risk (inference)" in box
    assert "the generator's training records" in box and "the model" not in box


def _row(question: str, level: RiskLevel, high: RiskLevel) -> SummaryRow:
    return SummaryRow(question, Assessment(level, level, high, None), "")


def test_headline_is_the_worst_row_for_every_audit() -> None:
    rows = [("membership", _row("membership", RiskLevel.LOW, RiskLevel.MODERATE)),
            ("reconstruction", _row("reconstruction", RiskLevel.HIGH, RiskLevel.HIGH)),
            ("singling_out", None),
            ("inference", _row("inference", RiskLevel.HIGH, RiskLevel.VERY_HIGH)),
            ("linkability", _row("linkability", RiskLevel.HIGH, RiskLevel.VERY_HIGH))]
    worst = worst_row(rows)  # highest level, ties by the top of the range, then page order
    assert worst is not None and worst.question == "inference"
    assert worst_row([("membership", None)]) is None


@pytest.mark.parametrize("old", [True, False])
def test_results_without_simultaneous_intervals_still_render(old: bool) -> None:
    data = _data(_attack("inference", "age", (300, 200, 5)))
    if old:  # a results file from before simultaneous intervals: read at its 95 % interval, and said so
        for a in data["attacks"]:
            a["risk"].pop("simultaneous")
            a["risk"].pop("undefined_reason")
    text = _text(_section(data).body)
    assert ("records no intervals made simultaneous" in text) is old
