"""Generator audit: the DP-marginals generator's accounting, generator specs, the shadow-modelling MIA on a
planted leak and a null generator, vulnerable-record choice, executors and cache, and the ε lower bound
(a correct DP generator is not contradicted, the broken one is caught)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leakpro.compute import LocalExecutor, ProcessPoolExecutor
from leakpro.data.adult import load_adult_frame
from leakpro.synthetic.domain import OTHER, Domain
from leakpro.synthetic.dp_marginals import DPMarginals, histogram, laplace_scale, marginal_pairs
from leakpro.synthetic.generator import GeneratorSpec, fit_sample, generator_problems, stated_privacy
from leakpro.synthetic.generator_audit import audit_generator, epsilon_audit, split_data
from leakpro.synthetic.shadow import ShadowJob, ShadowSettings, choose_targets, run_jobs

COLUMNS = ["age", "workclass", "race", "sex", "income"]


@pytest.fixture(autouse=True)
def _helpers_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))  # "generator_helpers:..." for callable generators


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return load_adult_frame("train")[COLUMNS].sample(800, random_state=0).reset_index(drop=True)


# --- the DP generator's accounting -------------------------------------------------------------------------


@pytest.mark.parametrize("structure", ["chain", "independent"])
def test_one_record_moves_one_cell_of_each_marginal_by_one(adult: pd.DataFrame, structure: str) -> None:
    """L1 sensitivity under add/remove-one is exactly m, also for values outside the public domain."""
    domain = Domain.from_frame(adult.iloc[:300], bins=8)
    odd = pd.DataFrame({"age": [150], "workclass": ["Astronaut"], "race": ["White"], "sex": ["Female"],
                        "income": [">50K"]})
    rng = np.random.default_rng(0)
    for extra in [odd, *(adult.iloc[[int(i)]] for i in rng.choice(len(adult), 20))]:
        base = adult.iloc[300:500]
        pairs = marginal_pairs(len(COLUMNS), structure)  # type: ignore[arg-type]
        cells_d, cells_x = domain.cells(base), domain.cells(pd.concat([base, extra]))
        diffs = [histogram(cells_x, p, domain.sizes) - histogram(cells_d, p, domain.sizes) for p in pairs]
        assert all(d.sum() == 1 and np.abs(d).sum() == 1 for d in diffs)
        assert sum(np.abs(d).sum() for d in diffs) == len(pairs)


def test_noise_scale_is_m_over_epsilon_and_broken_is_ten_times_smaller(adult: pd.DataFrame) -> None:
    domain = Domain.from_frame(adult, bins=5)
    m = len(COLUMNS) - 1
    assert laplace_scale(2.0, m) == pytest.approx(m / 2.0)
    for multiplier in (1.0, 0.1):
        noise = []
        for seed in range(40):
            gen = DPMarginals(epsilon=2.0, domain=domain, noise_multiplier=multiplier, random_state=seed).fit(adult)
            exact = [histogram(domain.cells(adult), p, domain.sizes) for p in gen.pairs_]
            noise += [(a - b).ravel() for a, b in zip(gen.noisy_, exact, strict=True)]
        spread = np.concatenate(noise).std()
        assert spread == pytest.approx(np.sqrt(2) * multiplier * m / 2.0, rel=0.05)  # Laplace(b): std √2·b


def test_dp_generator_samples_n_rows_on_the_public_domain(adult: pd.DataFrame) -> None:
    domain = Domain.from_frame(adult.iloc[:400])
    out = DPMarginals(epsilon=1.0, domain=domain, random_state=3).fit(adult.iloc[400:]).sample(123)
    assert list(out.columns) == COLUMNS and len(out) == 123
    assert out["age"].between(domain.columns[0].edges[0], domain.columns[0].edges[-1]).all()
    assert set(out["sex"]) <= set(domain.columns[3].levels)


def test_domain_clamps_numbers_and_maps_unseen_categories_to_other() -> None:
    d = Domain.from_frame(pd.DataFrame({"x": [0, 5, 10], "c": ["a", "b", "a"]}), bins=2)
    cells = d.cells(pd.DataFrame({"x": [-5, 4, 6, 99], "c": ["a", "b", "z", "a"]}))
    assert cells[:, 0].tolist() == [0, 0, 1, 1]
    assert d.columns[1].levels[cells[2, 1]] == OTHER


# --- specs ---------------------------------------------------------------------------------------------------


def test_spec_problems_are_all_listed_with_fixes() -> None:
    assert "did you mean 'dp_marginals'" in generator_problems(GeneratorSpec(kind="dp_marginal"))[0]
    bad = generator_problems(GeneratorSpec(kind="dp_marginals", params={"eps": 1}, command="x"))
    assert len(bad) == 3 and any("params.eps" in p for p in bad) and any("params.epsilon" in p for p in bad)
    assert "{input}" in generator_problems(GeneratorSpec(kind="command", command="python gen.py"))[0]
    assert "cannot load" in generator_problems(GeneratorSpec(kind="callable", target="no_such_mod:f"))[0]
    assert stated_privacy(GeneratorSpec(kind="copula")) is None
    assert stated_privacy(GeneratorSpec(kind="command", command="g {input} {output}", epsilon=3)) == (3.0, 0.0)


def test_command_generator_reads_and_writes_csv(adult: pd.DataFrame, tmp_path: Path) -> None:
    script = tmp_path / "gen.py"
    script.write_text("import sys, pandas as pd\n"
                      "df = pd.read_csv(sys.argv[1]); n = int(sys.argv[3])\n"
                      "df.sample(n, replace=True, random_state=int(sys.argv[4])).to_csv(sys.argv[2], index=False)\n")
    spec = GeneratorSpec(kind="command", command=[sys.executable, str(script), "{input}", "{output}", "{n}", "{seed}"])
    assert generator_problems(spec) == []
    out = fit_sample(spec, adult.iloc[:50], 70, 1, Domain.from_frame(adult))
    assert len(out) == 70 and list(out.columns) == COLUMNS
    broken = GeneratorSpec(kind="command", command=[sys.executable, "-c", "import sys; sys.exit(3)", "{input}",
                                                    "{output}"])
    with pytest.raises(RuntimeError, match="exit 3"):
        fit_sample(broken, adult.iloc[:50], 10, 1, Domain.from_frame(adult))


# --- the shadow-modelling MIA --------------------------------------------------------------------------------

SMALL = ShadowSettings(targets=2, random_targets=1, rows=80, train_tables=40, eval_tables=40)


def test_planted_leak_is_caught_on_worst_case_targets(adult: pd.DataFrame) -> None:
    spec = GeneratorSpec(kind="callable", target="generator_helpers:copies")
    audit = audit_generator(spec, adult, SMALL, seed=1)
    worst = [t for t in audit.targets if t.chosen == "worst-case"]
    assert all(t.exposed and t.shadow.auc.value > 0.9 for t in worst)
    assert audit.verdict.startswith("Leaks membership")


def test_null_generator_shows_no_membership(adult: pd.DataFrame) -> None:
    spec = GeneratorSpec(kind="callable", target="generator_helpers:ignores_training")
    audit = audit_generator(spec, adult, SMALL, seed=1)
    for t in audit.targets:
        assert t.shadow.auc.low <= 0.5 <= t.shadow.auc.high
        assert not t.exposed
    assert audit.verdict.startswith("No membership leakage shown")


def test_most_isolated_record_is_chosen_first(adult: pd.DataFrame) -> None:
    planted = pd.DataFrame({"age": [90], "workclass": ["Never-worked"], "race": ["Amer-Indian-Eskimo"],
                            "sex": ["Female"], "income": [">50K"]})
    data = pd.concat([adult, planted], ignore_index=True)
    targets = choose_targets(data, ShadowSettings(targets=1, random_targets=3, candidates=len(data)), seed=0)
    assert targets.rows[0] == len(data) - 1 and targets.chosen == ["worst-case"] + ["random"] * 3
    assert targets.scores[0] > targets.scores[1:].max()


def test_process_pool_and_cache_give_the_same_features(adult: pd.DataFrame, tmp_path: Path) -> None:
    spec = GeneratorSpec(kind="copula")
    targets = choose_targets(adult, SMALL, 0)
    ctx = split_data(spec, adult, targets, SMALL, 0)
    assert not isinstance(ctx, str)
    jobs = {f"j{i}": ShadowJob(0, "aux", i % 2 == 0, 100 + i) for i in range(4)}
    local = run_jobs(ctx, jobs, LocalExecutor(), tmp_path / "c")
    assert len(list((tmp_path / "c").glob("*.npy"))) == 4
    pooled = run_jobs(ctx, jobs, ProcessPoolExecutor(workers=2), None)
    cached = run_jobs(ctx, jobs, _Refuses(), tmp_path / "c")
    for j in jobs:
        np.testing.assert_array_equal(local[j], pooled[j])
        np.testing.assert_array_equal(local[j], cached[j])


class _Refuses(LocalExecutor):
    def map(self, fn, jobs, shared):  # type: ignore[no-untyped-def]
        if list(jobs):
            raise AssertionError("the cache should have answered every job")
        return iter(())


# --- DP claims -----------------------------------------------------------------------------------------------

EPS = ShadowSettings(targets=1, random_targets=0, rows=100, epsilon_synthetic_rows=1000, epsilon_runs=400,
                     epsilon_train_runs=100)


@pytest.mark.parametrize(("kind", "violated"), [("dp_marginals", False), ("dp_marginals_broken", True)])
def test_epsilon_bound_respects_a_correct_claim_and_catches_the_broken_one(
        adult: pd.DataFrame, kind: str, violated: bool) -> None:
    spec = GeneratorSpec(kind=kind, params={"epsilon": 1.0})
    targets = choose_targets(adult, EPS, 0)
    ctx = split_data(spec, adult, targets, EPS, 0)
    assert not isinstance(ctx, str)
    audit = epsilon_audit(ctx, targets, EPS, (1.0, 0.0), 0, LocalExecutor())
    assert audit.violated is violated
    assert audit.ceiling > 1.0  # the test can fail: the runs could show a bound above the claim
    assert audit.threshold_runs + audit.counted_runs == 400 and audit.train_runs == 100


# --- config, CLI, results file and report ---------------------------------------------------------------------


def test_config_lists_every_problem_at_once(tmp_path: Path) -> None:
    from leakpro.synthetic.errors import SyntheticInputError
    from leakpro.synthetic.generator_config import parse_generator_config

    raw = {"synthetic": {"real": "missing.csv", "generator": {"kind": "dp_marginals", "params": {"eps": 1}},
                         "shadow": {"rows": 5, "colour": "red"}}}
    with pytest.raises(SyntheticInputError) as err:
        parse_generator_config(raw, tmp_path)
    text = "\n".join(err.value.problems)
    for expected in ("synthetic.shadow.rows", "synthetic.shadow.colour", "params.eps", "params.epsilon"):
        assert expected in text


def test_code_running_generators_need_trust(tmp_path: Path) -> None:
    from leakpro.synthetic.errors import SyntheticInputError
    from leakpro.synthetic.generator_config import parse_generator_config

    (tmp_path / "t.csv").write_text("a,b\n1,x\n")
    raw = {"synthetic": {"real": "t.csv", "generator": {"kind": "command", "command": "gen {input} {output}"}}}
    with pytest.raises(SyntheticInputError, match="--trust"):
        parse_generator_config(raw, tmp_path, trusted=False)
    assert parse_generator_config(raw, tmp_path, trusted=True).generator.kind == "command"


def test_cli_audits_a_generator_and_writes_results_and_report(adult: pd.DataFrame, tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from leakpro.cli.app import app
    from leakpro.synthetic.generator_results import GENERATOR_RESULTS_FILE, GeneratorAuditResults

    adult.to_csv(tmp_path / "adult.csv", index=False)
    config = tmp_path / "gen.yaml"
    config.write_text(yaml.safe_dump({"synthetic": {
        "real": "adult.csv", "generator": {"kind": "dp_marginals_broken", "params": {"epsilon": 1.0}},
        "shadow": {"targets": 1, "random_targets": 1, "rows": 100, "train_tables": 20, "eval_tables": 20,
                   "epsilon_runs": 400, "epsilon_train_runs": 100, "epsilon_synthetic_rows": 1000}}}))
    done = CliRunner().invoke(app, ["audit", str(config), "--out", str(tmp_path / "out"), "--no-pdf"],
                              env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert "claim violated" in done.output
    res = GeneratorAuditResults.model_validate_json((tmp_path / "out" / GENERATOR_RESULTS_FILE).read_text())
    assert res.audits[0].epsilon[0].violated and len(res.audits[0].targets) == 2
    html = (tmp_path / "out" / "report.html").read_text()
    assert "claim violated" in html and "Most exposed records" in html


@pytest.mark.parametrize("module", ["domain", "dp_marginals", "generator", "generator_audit"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    failed, tried = doctest.testmod(importlib.import_module(f"leakpro.synthetic.{module}"))
    assert failed == 0 and tried > 0


def test_paired_delong_matches_a_paired_bootstrap() -> None:
    from leakpro.metrics.roc import auc, delong_paired

    rng = np.random.default_rng(0)
    members = np.arange(300) < 150
    first = rng.normal(size=300) + members
    second = first + 1.5 * rng.normal(size=300)
    diff, se = delong_paired(first, second, members)
    assert diff == pytest.approx(auc(first, members) - auc(second, members))
    boot = []
    for _ in range(1000):
        idx = np.r_[rng.choice(150, 150), 150 + rng.choice(150, 150)]
        boot.append(auc(first[idx], members[idx]) - auc(second[idx], members[idx]))
    assert se == pytest.approx(np.std(boot), rel=0.15)
    assert delong_paired(first, first, members) == (0.0, 0.0)


def test_table_audit_config_can_also_audit_its_generator(adult: pd.DataFrame, tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from leakpro.cli.app import app

    real, control = adult.iloc[:300], adult.iloc[300:600]
    real.to_csv(tmp_path / "real.csv", index=False)
    control.to_csv(tmp_path / "control.csv", index=False)
    real.sample(300, replace=True, random_state=0).to_csv(tmp_path / "syn.csv", index=False)
    section = {"real": "real.csv", "synthetic": "syn.csv", "control": "control.csv", "n_attacks": 40,
               "generator": {"kind": "callable", "target": "generator_helpers:copies"},
               "shadow": {"targets": 1, "random_targets": 1, "rows": 80, "train_tables": 20, "eval_tables": 20}}
    (tmp_path / "both.yaml").write_text(yaml.safe_dump({"synthetic": section}))
    runner, args = CliRunner(), ["audit", str(tmp_path / "both.yaml"), "--no-pdf"]
    refused = runner.invoke(app, [*args, "--out", str(tmp_path / "no")], env={"COLUMNS": "200"})
    assert refused.exit_code != 0 and "--trust" in refused.output
    done = runner.invoke(app, [*args, "--trust", "--out", str(tmp_path / "out")], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert (tmp_path / "out" / "synthetic_results.json").is_file()
    html = (tmp_path / "out" / "report.html").read_text()
    assert 'id="synthetic"' in html and "Most exposed records" in html
