"""The demo's generators rank in order of increasing privacy, on a reduced size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from rich.console import Console

from leakpro.commands.synthetic_demo import DEMO_FILE, run_synthetic_demo
from leakpro.data.adult import load_adult_frame
from leakpro.synthetic.generators import GaussianCopula


def test_demo_ranking_order(tmp_path: Path) -> None:
    named = run_synthetic_demo(tmp_path, seed=0, console=Console(quiet=True), n_records=400, n_attacks=100)
    risks = {name: res.overall_risk() for name, res in named}
    assert risks["noisy-copy"] > risks["gaussian-copula"] > risks["smoothed-copula"]
    assert risks["smoothed-copula"] < 0.05
    copula = dict(named)["gaussian-copula"]
    assert copula.family_risks()["singling_out"] > 0.5  # copied rare exact values are caught
    ranking = json.loads((tmp_path / DEMO_FILE).read_text())["ranking"]
    assert [r["generator"] for r in ranking] == ["noisy-copy", "gaussian-copula", "smoothed-copula"]
    for name in risks:  # every audit face writes a report (issue 15 item 5): one per generator
        html = (tmp_path / name / "report.html").read_text(encoding="utf-8")
        assert "Synthetic data" in html and (tmp_path / name / "report.pdf").stat().st_size > 1000


def test_smoothed_marginals_copy_no_rare_values() -> None:
    ori = load_adult_frame("train").sample(2000, random_state=0).reset_index(drop=True)
    gen = GaussianCopula(smooth=True, min_count=20, tail=0.01, random_state=0).fit(ori)
    syn = gen.sample(2000)
    counts = ori["native_country"].value_counts()
    assert set(syn["native_country"]) <= set(counts[counts >= 20].index)
    lo, hi = np.quantile(ori["age"], [0.01, 0.99])
    assert syn["age"].between(np.floor(lo), np.ceil(hi)).all()
