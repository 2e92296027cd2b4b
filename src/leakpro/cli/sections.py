"""``leakpro audit`` on a config whose section is not a membership audit: ``llm:`` (a causal language model),
``synthetic:`` (a synthetic table, or with ``synthetic.generator`` the generator itself)."""

from __future__ import annotations

from pathlib import Path

from leakpro.cli.common import check_out, make_console, refusing

NOTHING_RUN = "Input error — nothing was run.\n"


def llm_from_config(raw: dict[str, object], base: Path, out: Path, pdf: bool) -> None:
    from leakpro.config.errors import ConfigError
    from leakpro.config.llm import parse_llm_config

    with refusing("Config error — nothing was run.\n", ConfigError):
        spec = parse_llm_config(raw, base)
    check_out(out)
    from leakpro.commands.llm import run_llm_config

    with refusing("Config error —\n", ConfigError):
        run_llm_config(spec, out, console=make_console(), pdf=pdf)


def synthetic_from_config(raw: dict[str, object], base: Path, out: Path, pdf: bool, trust: bool = False) -> None:
    from leakpro.commands.synthetic import run_synthetic
    from leakpro.synthetic.config import parse_synthetic_config
    from leakpro.synthetic.errors import SyntheticInputError
    from leakpro.synthetic.generator_config import is_generator_config

    if is_generator_config(raw):
        generator_from_config(raw, base, out, pdf, trust)
        return
    from leakpro.commands.synthetic_generator import generator_audit_of, run_generator_audit

    with refusing(NOTHING_RUN, SyntheticInputError):
        spec = parse_synthetic_config(raw, base, trusted=trust)
    check_out(out)
    also = generator_audit_of(spec)
    with refusing(NOTHING_RUN, SyntheticInputError):
        run_synthetic(spec.real, spec.synthetic, spec.control, out, secrets=spec.secrets,
                      aux_columns=spec.aux_columns, column_types=spec.column_types, n_attacks=spec.n_attacks,
                      seed=spec.seed, console=make_console(), pdf=pdf, report=also is None)
        if also is not None:  # the generator audit on the real table, then one report over both results
            run_generator_audit(also, out, console=make_console(), pdf=pdf)


def generator_from_config(raw: dict[str, object], base: Path, out: Path, pdf: bool, trust: bool) -> None:
    from leakpro.commands.synthetic_generator import run_generator_audit
    from leakpro.synthetic.errors import SyntheticInputError
    from leakpro.synthetic.generator_config import parse_generator_config

    with refusing(NOTHING_RUN, SyntheticInputError):
        spec = parse_generator_config(raw, base, trusted=trust)
    check_out(out)
    with refusing(NOTHING_RUN, SyntheticInputError):
        run_generator_audit(spec, out, console=make_console(), pdf=pdf)
