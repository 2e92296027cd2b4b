"""The language-model section: drawn from llm_results.json alone (``leakpro report DIR``), page one's row with the null
control beside it, and "the split, not the model, is leaking" when the blind baseline matches the attacks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from leakpro.audit.llm_blind import blind_baseline
from leakpro.cli.app import app
from leakpro.metrics.summary import membership_metrics
from leakpro.results.llm import LLMAuditResult, LMAttackResult, LMTargetResult


def _attack(scores: np.ndarray, members: np.ndarray) -> LMAttackResult:
    m = membership_metrics(scores, members)
    return LMAttackResult(attack="loss", title="LOSS (perplexity)", paper="Yeom et al. 2018", params={},
                          auc=m["auc"], tpr_at_fpr=m["tpr_at_fpr"], balanced_accuracy=m["balanced_accuracy"],
                          advantage=m["advantage"], runtime_s=0.01)


def _result(shifted: bool) -> LLMAuditResult:
    rng = np.random.default_rng(0)
    members = rng.permutation(300) < 150
    signal = 0.6 * members + rng.normal(0, 1, 300)
    if shifted:  # members from one vocabulary, non-members from another: the texts alone separate them
        texts = [f"{'kernel compiler bug' if m else 'poem novel verse'} number {i}" for i, m in enumerate(members)]
    else:
        texts = [f"text {rng.integers(0, 10**6)} about {rng.choice(['cats', 'dogs', 'fish'])}" for _ in members]
    target = _attack(signal, members)
    blind = blind_baseline(texts, members, permutations=5, best_attack=target.auc)
    null = _attack(rng.normal(0, 1, 300), members)
    models = [LMTargetResult(name=r, role=r, description=f"{r} GPT-2", attacks=[a], signal_seconds=1.0,  # type: ignore[arg-type]
                             seconds_per_1000_texts=3.3) for r, a in (("target", target), ("null", null))]
    return LLMAuditResult(name="unit", seed=0, candidates=300, members=150, split="random", models=models,
                          blind_baseline=blind, leakpro_version="0", config_hash="x", versions={}, runtime_s=1.0)


def _render(tmp_path: Path, result: LLMAuditResult) -> str:
    (tmp_path / "llm_results.json").write_text(result.model_dump_json())
    res = CliRunner().invoke(app, ["report", str(tmp_path), "--no-pdf"])
    assert res.exit_code == 0, res.output
    return (tmp_path / "report.html").read_text()


def test_random_split_report_shows_attacks_null_and_no_split_warning(tmp_path: Path) -> None:
    html = _render(tmp_path, _result(shifted=False))
    assert "Language model — membership" in html and 'data-testid="llm-table"' in html
    assert "null model" in html and "the split looks random" in html
    assert "the split, not the model, is leaking" not in html


def test_shifted_split_report_says_the_split_is_leaking(tmp_path: Path) -> None:
    result = _result(shifted=True)
    assert result.blind_baseline is not None and result.blind_baseline.matches_attacks
    html = _render(tmp_path, result)
    assert "the split, not the model, is leaking" in html


def _model(role: str, scores: dict[str, np.ndarray], members: np.ndarray) -> LMTargetResult:
    from leakpro.metrics.simultaneous import simultaneous_intervals

    attacks = [_attack(s, members).model_copy(update={"attack": n}) for n, s in scores.items()]
    return LMTargetResult(name=role, role=role, description="GPT-2", attacks=attacks,  # type: ignore[arg-type]
                          signal_seconds=1.0, seconds_per_1000_texts=1.0,
                          simultaneous=simultaneous_intervals(scores, members))


def test_level_accounts_for_picking_the_strongest_of_many_attacks() -> None:
    """Null: eight attacks that see nothing. Their best point AUC often reaches Moderate (0.55) by chance; the level,
    read at the lower ends of simultaneous intervals, stays Low. A real leak still reads High."""
    from leakpro.report.risk import RiskLevel
    from leakpro.report.sections.llm import attack_assessment, model_assessment

    members = np.r_[np.ones(200, bool), np.zeros(200, bool)]
    inflated = low = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        null = _model("null", {f"a{i}": rng.normal(size=400) for i in range(8)}, members)
        naive = max(attack_assessment(a).level for a in null.attacks)
        verdict, _ = model_assessment(null)
        assert verdict is not None and verdict.interval_name.startswith("simultaneous 95% over 8 attacks")
        inflated += naive > RiskLevel.LOW
        low += verdict.level is RiskLevel.LOW
    assert inflated >= 5  # the point-estimate reading raises the null above Low (measured: 14 of 20 seeds)
    assert low >= 19  # at most 2.5 % expected above Low
    rng = np.random.default_rng(0)
    leak = _model("target", {"loss": 1.5 * members + rng.normal(size=400), "zlib": rng.normal(size=400)}, members)
    verdict, worst = model_assessment(leak)
    assert verdict is not None and verdict.level >= RiskLevel.HIGH and worst is not None and worst.attack == "loss"
