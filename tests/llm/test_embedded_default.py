"""The issue's acceptance on the embedded default (quick size): every attack's AUC interval above 0.5 on the target
and holding 0.5 on the null; canary exposure rising with repetitions on the target and not on the null; the blind
baseline holding 0.5 on the demo's random split; ``leakpro demo --llm`` writes results and a report."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakpro.results.llm import LLMAuditResult

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[LLMAuditResult, Path]:
    from leakpro.commands.llm_demo import run_llm_demo

    out = tmp_path_factory.mktemp("llm-demo")
    path = run_llm_demo(out, seed=0, quick=True, pdf=False)
    return LLMAuditResult.model_validate_json(path.read_text()), out


def test_every_attack_finds_the_target_and_not_the_null(demo: tuple[LLMAuditResult, Path]) -> None:
    result, _ = demo
    target, null = (next(m for m in result.models if m.role == r) for r in ("target", "null"))
    names = [a.attack for a in target.attacks]
    assert names == ["loss", "zlib", "min_k", "min_k_plus_plus", "reference", "lira", "rmia", "rmia_offline"]
    for a in target.attacks:
        assert a.auc.low > 0.5, (a.attack, a.auc)
    for a in null.attacks:
        assert a.auc.low < 0.5 < a.auc.high, (a.attack, a.auc)


def test_canary_exposure_rises_with_repetitions(demo: tuple[LLMAuditResult, Path]) -> None:
    result, _ = demo
    target, null = result.canaries
    assert target.model == "target" and target.rises_with_repetitions
    means = [r.exposure.value for r in target.rows]
    assert [r.repetitions for r in target.rows] == [0, 4, 16]
    assert means[0] < means[1] < means[2]
    assert not null.rises_with_repetitions  # the null never saw a canary


def test_blind_baseline_and_report(demo: tuple[LLMAuditResult, Path]) -> None:
    result, out = demo
    assert result.blind_baseline is not None and not result.blind_baseline.shifted
    assert result.blind_self_test is not None and result.blind_self_test.shifted
    html = (out / "report.html").read_text()
    assert 'data-testid="llm-table"' in html and "Canary exposure" in html
    assert (out / "llm_scores" / "target.csv").is_file()
