"""From the wizard's form fields to the same configs the CLI runs, and their validation before anything runs.

A membership audit becomes an audit config (``config.yaml`` in the audit's directory, paths relative to it);
a synthetic audit becomes a ``synthetic:`` config. Both are checked with the audit API's own validation
(``parse_config`` + ``build_plan``, ``validate_inputs``), so the web app accepts exactly what the CLI accepts.
Problems come back as :class:`~leakpro.config.errors.ConfigIssue`: the field, the problem and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.synthetic.errors import SyntheticInputError
from leakpro.web.storage import AuditDir

Form = Mapping[str, Any]


@dataclass(frozen=True)
class AttackChoice:
    """One tick box of the wizard: a registered attack, or one mode of it."""

    key: str  # "loss" or "rmia:offline"
    title: str
    threat_models: tuple[str, ...]
    default: bool

    def config_item(self) -> str | dict[str, dict[str, Any]]:
        name, _, mode = self.key.partition(":")
        return {name: {"mode": mode}} if mode else name


DEFAULTS = {"scores": ("loss", "population", "rmia:offline", "lira:offline"),
            "labels": ("gap", "label_only_augmentation", "label_only_boundary")}


def attack_choices() -> list[AttackChoice]:
    """Every registered attack (and mode) in the suite's display order; sensible defaults ticked."""
    from leakpro.attacks.membership.base import registered_attacks
    from leakpro.audit.attack_specs import ORDER, VARIANTS

    known = registered_attacks()
    names = sorted(known, key=lambda n: (*ORDER, n).index(n))
    out = []
    for name in names:
        cls = known[name]
        threats = tuple(t.value for t in cls.threat_models)
        for variant in VARIANTS.get(name, ({},)):
            mode = variant.get("mode")
            key = f"{name}:{mode}" if mode else name
            title = f"{cls.title} ({mode})" if mode else cls.title
            out.append(AttackChoice(key, title, threats, any(key in DEFAULTS[t] for t in threats)))
    return out


def text(form: Form, name: str, default: str = "") -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default


def integer(form: Form, name: str, default: int | None, lo: int, hi: int, issues: list[ConfigIssue]) -> int | None:
    raw = text(form, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        issues.append(ConfigIssue(name, "not a whole number", f"enter a number between {lo} and {hi}", raw[:40]))
        return default
    if not lo <= value <= hi:
        issues.append(ConfigIssue(name, "out of range", f"enter a number between {lo} and {hi}", raw))
    return value


def number(form: Form, name: str, default: float, issues: list[ConfigIssue]) -> float:
    raw = text(form, name)
    try:
        return float(raw) if raw else default
    except ValueError:
        issues.append(ConfigIssue(name, "not a number", "enter a number such as 0.001", raw[:40]))
        return default


def names(form: Form, name: str) -> list[str] | None:
    """A comma-separated list of column names; ``None`` when left empty."""
    raw = text(form, name)
    return [p.strip() for p in raw.split(",") if p.strip()] or None


def _attacks(form: Any, threat: str, issues: list[ConfigIssue]) -> list[str | dict[str, dict[str, Any]]]:
    chosen = set(form.getlist("attacks")) if hasattr(form, "getlist") else set(form.get("attacks") or [])
    by_key = {c.key: c for c in attack_choices()}
    unknown = sorted(chosen - set(by_key))
    if unknown:
        issues.append(ConfigIssue("attacks", "unknown attack", f"choose among {', '.join(by_key)}", str(unknown)))
    picked = [c for c in by_key.values() if c.key in chosen]
    wrong = [c.key for c in picked if threat not in c.threat_models]
    if wrong:
        issues.append(ConfigIssue("attacks", f"these attacks need another threat model than {threat!r}",
                                  "untick them or change the threat model", ", ".join(wrong)))
    if not picked:
        issues.append(ConfigIssue("attacks", "no attack chosen", "tick at least one attack"))
    return [c.config_item() for c in picked if threat in c.threat_models]


def membership_config(form: Any, data_suffix: str | None, model_suffix: str | None) -> tuple[dict[str, Any],
                                                                                            list[ConfigIssue]]:
    """The audit config the form asks for (uploaded files are ``inputs/data<suffix>``, ``inputs/model<suffix>``)."""
    issues: list[ConfigIssue] = []
    threat = text(form, "threat_model", "scores")
    if threat not in ("scores", "labels"):
        issues.append(ConfigIssue("threat_model", "unknown threat model", "choose scores or labels", threat[:40]))
        threat = "scores"
    seed = integer(form, "seed", 0, 0, 2**31 - 1, issues) or 0
    refs = integer(form, "reference_models", 4, 1, 64, issues)
    epochs = integer(form, "epochs", None, 1, 1000, issues)
    if text(form, "source", "demo") == "demo":
        from leakpro.commands.demo import demo_config

        cfg = demo_config(seed, quick=text(form, "demo_size", "quick") != "full")
        cfg["null_target"] = form.get("null_target") is not None
        if epochs is not None:
            cfg["target"]["recipe"]["epochs"] = epochs
    else:
        cfg = _upload_config(form, data_suffix, model_suffix, epochs, issues)
    cfg.update(name=text(form, "name") or str(cfg.get("name", "audit")), seed=seed, threat_model=threat,
               attacks=_attacks(form, threat, issues), reference={"models": refs})
    return cfg, issues


def _upload_config(form: Form, data_suffix: str | None, model_suffix: str | None, epochs: int | None,
                   issues: list[ConfigIssue]) -> dict[str, Any]:
    arrays = data_suffix == ".npz"
    data: dict[str, Any] = {("arrays" if arrays else "table"): f"inputs/data{data_suffix}",
                            "label": text(form, "label") or None}
    member_key, population_key = ("key" if arrays else "column"), ("key" if arrays else "column")
    if not data["label"]:
        issues.append(ConfigIssue("label", "required", "name the label column (or the label array of the .npz)"))
    if text(form, "members"):
        data["members"] = {member_key: text(form, "members")}
    else:
        issues.append(ConfigIssue("members", "required", "name the true/false column (or .npz array) that marks the "
                                  "rows the model was trained on"))
    if text(form, "population"):
        data["population"] = {population_key: text(form, "population")}
    if arrays and text(form, "features"):
        data["features"] = text(form, "features")
    target: dict[str, Any]
    if model_suffix == ".skops":
        target = {"kind": "sklearn", "file": "inputs/model.skops", "trusted_types": names(form, "trusted_types") or []}
    elif model_suffix == ".safetensors":
        target = _torch_target(form, epochs, issues)
    else:
        issues.append(ConfigIssue("model_file", "ONNX files cannot be audited directly by the audit API yet",
                                  "upload the model's weights as .safetensors (PyTorch) or the model as .skops "
                                  "(scikit-learn); or serve the ONNX file with `leakpro serve-model` and audit it "
                                  "as an HTTP target from the command line"))
        target = {"kind": "torch"}
    return {"name": "uploaded-model", "data": data, "target": target}


def _torch_target(form: Form, epochs: int | None, issues: list[ConfigIssue]) -> dict[str, Any]:
    from leakpro.training.models import registered_models

    arch = text(form, "architecture", "mlp")
    if arch not in registered_models():
        issues.append(ConfigIssue("architecture", "unknown architecture",
                                  f"choose one of {', '.join(registered_models())}", arch[:60]))
    try:
        params = json.loads(text(form, "model_params") or "{}")
    except json.JSONDecodeError as exc:
        issues.append(ConfigIssue("model_params", f"not valid JSON ({exc.msg})", 'write e.g. {"hidden": [256, 256]}'))
        params = {}
    if not isinstance(params, dict):
        issues.append(ConfigIssue("model_params", "must be a JSON object", 'write e.g. {"hidden": [256, 256]}'))
        params = {}
    recipe = {"model": arch, "params": params, "optimizer": text(form, "optimizer", "adam") or "adam",
              "lr": number(form, "lr", 1e-3, issues), "epochs": epochs or 20,
              "batch_size": integer(form, "batch_size", 128, 1, 1 << 16, issues) or 128,
              "weight_decay": number(form, "weight_decay", 0.0, issues)}
    return {"kind": "torch", "model": arch, "params": params, "weights": "inputs/model.safetensors", "recipe": recipe}


# Config fields as the wizard names them, so a problem points at the box to fix (longest prefix wins).
FORM_LABELS = {"data.label": "Label column", "data.members": "Members column", "data.population": "Population column",
               "data.features": "Features", "data.table": "Data file", "data.arrays": "Data file",
               "data.split": "Data file", "target.weights": "Model file", "target.file": "Model file",
               "target.model": "Architecture", "target.params": "Architecture parameters",
               "target.recipe": "Training settings", "target.trusted_types": "Trusted types", "target": "Model file",
               "reference": "Reference models", "attacks": "Attacks", "threat_model": "Threat model"}


def for_form(issue: ConfigIssue) -> ConfigIssue:
    """The issue with its field named as on the form, the config path kept in brackets."""
    keys = [k for k in FORM_LABELS if issue.field == k or issue.field.startswith((k + ".", k + "["))]
    if not keys:
        return issue
    label = FORM_LABELS[max(keys, key=len)]
    return ConfigIssue(f"{label} ({issue.field})", issue.problem, issue.fix, issue.received)


class _PlainDumper(yaml.SafeDumper):
    """Writes a value used twice (the model's params, in target and recipe) twice: config files hold no anchors
    or aliases, which the config reader refuses (:mod:`leakpro.config.yaml_io`)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def config_yaml(config: dict[str, Any]) -> str:
    """``config`` as the plain YAML ``config.yaml`` holds."""
    return yaml.dump(config, Dumper=_PlainDumper, sort_keys=False)


def validate_membership(config: dict[str, Any], d: AuditDir) -> list[ConfigIssue]:
    """Write ``config.yaml`` and check it as ``leakpro audit`` would (data and model are loaded once)."""
    from leakpro.audit.plan import build_plan, parse_config

    d.config.write_text(config_yaml(config), encoding="utf-8")
    try:
        build_plan(*parse_config(d.config))
    except ConfigError as exc:
        return [for_form(i) for i in exc.issues]
    return []


def synthetic_config(form: Form, suffixes: dict[str, str]) -> tuple[dict[str, Any], list[ConfigIssue]]:
    """The ``synthetic:`` config the form asks for; tables are ``inputs/<role><suffix>``."""
    issues: list[ConfigIssue] = []
    spec: dict[str, Any] = {role: f"inputs/{role}{suffixes.get(role, '.csv')}"
                            for role in ("real", "synthetic", "control")}
    for key in ("secrets", "aux_columns"):
        if (value := names(form, key)) is not None:
            spec[key] = value
    spec["n_attacks"] = integer(form, "n_attacks", 500, 1, 100_000, issues)
    spec["seed"] = integer(form, "seed", 0, 0, 2**31 - 1, issues) or 0
    _generator(form, spec, issues)
    return {"synthetic": spec}, issues


WEB_GENERATORS = ("noisy_copy", "copula", "copula_smooth", "dp_marginals", "dp_marginals_broken")
"""Built-in generators the wizard can audit on the real table (no user code runs on the server)."""


def _generator(form: Form, spec: dict[str, Any], issues: list[ConfigIssue]) -> None:
    """The optional generator audit: a built-in generator, its stated ε, the number of targets and tables."""
    kind = text(form, "generator")
    if not kind or kind == "none":
        return
    if kind not in WEB_GENERATORS:
        issues.append(ConfigIssue("generator", "unknown generator", f"choose among {', '.join(WEB_GENERATORS)}",
                                  kind[:40]))
        return
    params: dict[str, Any] = {}
    if kind.startswith("dp_"):
        raw = text(form, "generator_epsilon") or "1"
        try:
            params["epsilon"] = float(raw)
        except ValueError:
            issues.append(ConfigIssue("generator_epsilon", "not a number", "enter the stated ε, e.g. 1", raw[:40]))
    targets = integer(form, "generator_targets", 2, 1, 50, issues) or 2
    tables = integer(form, "generator_tables", 40, 10, 2000, issues) or 40
    spec["generator"] = {"kind": kind, "params": params}
    spec["shadow"] = {"targets": targets, "random_targets": targets, "rows": integer(form, "generator_rows", 100, 10,
                      100_000, issues) or 100, "train_tables": tables, "eval_tables": tables,
                      "epsilon_runs": 10 * tables, "epsilon_train_runs": max(20, 2 * tables)}


def validate_synthetic(config: dict[str, Any], d: AuditDir) -> list[str]:
    """Write ``config.yaml`` and check the tables and options as the synthetic audit will."""
    from leakpro.synthetic.config import parse_synthetic_config
    from leakpro.synthetic.io import read_table
    from leakpro.synthetic.validation import validate_inputs

    d.config.write_text(config_yaml(config), encoding="utf-8")
    try:
        spec = parse_synthetic_config(config, d.root)
        frames = {}
        for role in ("real", "synthetic", "control"):
            try:
                frames[role] = read_table(Path(getattr(spec, role)))
            except (ValueError, OSError) as exc:
                raise SyntheticInputError([f"{role}_file: could not read the table ({type(exc).__name__}: {exc}); "
                                           "fix: upload a valid CSV or Parquet table"]) from None
        validate_inputs(frames["real"], frames["synthetic"], frames["control"], secrets=spec.secrets,
                        aux_columns=spec.aux_columns, column_types=spec.column_types, n_attacks=spec.n_attacks)
        if spec.generator is not None and spec.shadow is not None:
            n_targets = spec.shadow.targets + spec.shadow.random_targets
            half = (len(frames["real"]) - n_targets) // 2
            if half < spec.shadow.rows:
                raise SyntheticInputError([f"generator_rows: {spec.shadow.rows} rows per shadow table, but each half "
                                           f"of the real table holds {half}; fix: enter at most {max(half, 0)}"])
    except SyntheticInputError as exc:
        return list(exc.problems)
    return []


def write_example_tables(d: AuditDir, seed: int, n: int = 300) -> dict[str, str]:
    """The built-in example: disjoint Adult samples as real and control, a noisy copy of real as synthetic."""
    from leakpro.data.adult import load_adult_frame
    from leakpro.synthetic.generators import NoisyCopy

    table = load_adult_frame("all").sample(frac=1.0, random_state=seed).reset_index(drop=True)
    real, control = table.iloc[:n], table.iloc[n: 2 * n]
    tables = {"real": real, "synthetic": NoisyCopy(random_state=seed).fit(real).sample(n), "control": control}
    for role, frame in tables.items():
        frame.to_csv(d.inputs / f"{role}.csv", index=False)
    return {role: ".csv" for role in tables}
