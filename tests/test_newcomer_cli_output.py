"""What the terminal shows (issue 15, items 2 and 11): real stage times, no source paths on log lines, and a
results table that keeps its intervals and never breaks an attack's name on an 80-column terminal."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from rich.console import Console

from leakpro.cli.progress import RichProgress
from leakpro.cli.tables import results_table
from leakpro.metrics.summary import membership_metrics
from leakpro.results.types import AttackResult, AuditResult, DataSummary, TargetResult

IDS = ["loss", "population", "qmia", "shadow", "reference", "lira-online", "lira-offline", "rmia-online",
       "rmia-offline", "label_only_augmentation", "label_only_boundary"]


class Clock:
    """A console clock the test moves by hand (rich's progress reads the console's clock)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _run_stages(clock: Clock, batched: bool) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=80, get_time=clock, force_terminal=False, color_system=None)
    with RichProgress(console) as progress:
        progress.stage("training the target")
        clock.now += 4
        progress.stage("training 8 reference models")
        for i in range(1, 9):
            clock.now += 9  # 72 s in all
            if not batched:
                progress.models(i, 8, False)
        if batched:  # a batched job hands back its eight models at once, at the end
            for i in range(1, 9):
                progress.models(i, 8, False)
        for i, attack_id in enumerate(["loss", "rmia"]):
            progress.attack("target", attack_id, i, 2)
            clock.now += 5
        progress.attack("target", "", 2, 2)
    return buf.getvalue()


@pytest.mark.parametrize("batched", [True, False])
def test_reference_model_bar_shows_the_stage_time(batched):
    text = _run_stages(Clock(), batched)
    bar = next(line for line in text.splitlines() if "reference models" in line and "8/8" in line)
    assert bar.rstrip().endswith("0:01:12"), text  # 72 s of training, however the models arrived
    attacks = next(line for line in text.splitlines() if "attacks on target" in line)
    assert attacks.rstrip().endswith("0:00:10"), text  # attacks count from their own start, not the stage's


def test_stage_lines_carry_no_source_path():
    text = _run_stages(Clock(), batched=True)
    for stage in ("training the target", "training 8 reference models"):
        line = next(line for line in text.splitlines() if stage in line and "━" not in line)
        assert re.fullmatch(rf"\[\d\d:\d\d:\d\d\] {stage}", line.rstrip()), text  # no 'progress.py:39' at the end
    assert not re.search(r"\w+\.py:\d+", text), text


def _result(ids: list[str], null: bool = True) -> AuditResult:
    rng = np.random.default_rng(0)
    members = np.zeros(400, dtype=bool)
    members[rng.permutation(400)[:200]] = True

    def target(name: str, role: str, shift: float) -> TargetResult:
        attacks = []
        for attack_id in ids:
            scores = rng.normal(0, 1, 400) + shift * members
            attacks.append(AttackResult(id=attack_id, attack=attack_id.split("-")[0], title=attack_id, paper="p",
                                        threat_model="scores", params={}, derived={}, seed=0, runtime_s=0.1,
                                        queries=400, scores_column=attack_id, **membership_metrics(scores, members)))
        return TargetResult(name=name, role=role, description=name, train_accuracy=0.9, test_accuracy=0.8,  # type: ignore[arg-type]
                            scores_file=f"scores/{name}.csv", attacks=attacks)

    targets = [target("target", "target", 1.0)] + ([target("null", "null", 0.0)] if null else [])
    return AuditResult(
        leakpro_version="0", created="2026-01-01T00:00:00+00:00", seed=0, config={}, config_hash="0" * 64,
        versions={}, data=DataSummary(name="adult", n_records=1000, n_candidates=400, n_members=200,
                                      n_population=100, n_classes=2, member_prior=0.5),
        reference_models=None, targets=targets, stage_runtime_s={})


def _render(result: AuditResult, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)
    console.print(results_table(result, console.width))
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("null", [True, False])
def test_eighty_columns_show_intervals_and_whole_names(null):
    result = _result(IDS, null)
    text = _render(result, 80)
    assert max(len(line) for line in text.splitlines()) <= 80, text
    for attack_id in IDS:
        assert re.search(rf"(^|\s){re.escape(attack_id)}(\s|$)", text, re.M), f"{attack_id} broken:\n{text}"
    target = result.targets[0]
    for a in target.attacks:  # every AUC and TPR@1% interval is shown (fewer decimals where space is short)
        tpr = a.tpr_at_fpr[1].tpr
        assert any(f"[{a.auc.low:.{d}f}, {a.auc.high:.{d}f}]" in text and
                   f"[{100 * tpr.low:.{d - 1}f}, {100 * tpr.high:.{d - 1}f}]" in text for d in (2, 3)), text


def test_wide_terminal_shows_full_precision_on_one_line():
    result = _result(IDS)
    text = _render(result, 160)
    a = result.targets[0].attacks[-1]
    assert re.search(rf"{a.id}\s.*{a.auc.value:.3f} \[{a.auc.low:.3f}, {a.auc.high:.3f}\]", text), text


def test_narrow_terminal_splits_names_only_between_words():
    ids = [*IDS, "label_only_augmentation-2"]
    text = _render(_result(ids), 60)
    words = {w for i in ids for w in re.split(r"(?<=[_-])", i) if w}
    first_cells = [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]
    assert max(len(line) for line in text.splitlines()) <= 60, text
    for cell in filter(None, first_cells):  # whole names, or pieces of whole words ending at '_' or '-'
        assert cell in ids or all(p in words for p in re.split(r"(?<=[_-])", cell) if p), (cell, text)
    assert "augmentation" in first_cells


def test_fold_name():
    from leakpro.cli.tables import fold_name

    assert fold_name("label_only_augmentation", 12) == "label_only_\naugmentation"
    assert fold_name("lira-online", 20) == "lira-online"
    assert fold_name("averyveryverylongword", 5) == "averyveryverylongword"
    assert fold_name("a_b-c", 2) == "a_\nb-\nc"
