"""The federated audit config, parsed once at the edge (YAML or dict → frozen pydantic), every problem at once.

```yaml
seed: 0
data: {name: fashion_mnist, split: train}      # fashion_mnist | digits | adult
model: {name: cnn, params: {width: 16}}         # cnn | mlp | tabular_mlp
clients: {count: 4, records_per_client: 1, target: 0}
protocol: {algorithm: fedsgd, lr: 0.1, local_steps: 1, local_batch_size: null, rounds: 1, attack_round: 0}
attacks:                                        # server-side, each scored on the target client's update
  - inverting_gradients: {iterations: 1000}
  - idlg: {iterations: 50}
defences:                                       # re-tested with the first attack in the same run
  - {kind: local_dp, clip: 1.0, noise_multiplier: 0.01}
  - {kind: prune, prune_fraction: 0.9}
  - {kind: secure_aggregation}
sweep: {batch_sizes: [1, 4, 16], local_steps: [1, 4]}
client_mia: {rounds: 30, local_steps: 10, lr: 0.2, records_per_client: 30}
images: true
```
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from leakpro.config.yaml_io import YamlConfigError, load_yaml_file
from leakpro.federated.attacks.base import AttackParams, get_server_attack
from leakpro.federated.attacks.client_mia import ClientMiaParams


class FederatedConfigError(ValueError):
    """Bad federated config; ``problems`` lists every problem, each naming the field and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) with the federated config:\n{lines}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSection(_Section):
    name: Literal["fashion_mnist", "digits", "adult"] = "fashion_mnist"
    split: Literal["train", "test"] = "train"


class ModelSection(_Section):
    name: str = "cnn"
    params: dict[str, Any] = Field(default_factory=dict)


class ClientsSection(_Section):
    count: int = Field(default=4, ge=1)
    records_per_client: int = Field(default=1, ge=1)
    target: int = Field(default=0, ge=0, description="the client whose update the server attacks")


class ProtocolSection(_Section):
    algorithm: Literal["fedsgd", "fedavg"] = "fedsgd"
    lr: float = Field(default=0.1, gt=0)
    local_steps: int = Field(default=1, ge=1)
    local_batch_size: int | None = Field(default=None, ge=1)
    rounds: int = Field(default=1, ge=1)
    attack_round: int = Field(default=0, ge=0, description="0-based round whose update is attacked")


class DefenceSection(_Section):
    kind: Literal["local_dp", "prune", "secure_aggregation"]
    clip: float | None = Field(default=None, gt=0)
    noise_multiplier: float = Field(default=0.0, ge=0)
    prune_fraction: float = Field(default=0.0, ge=0, lt=1)

    @model_validator(mode="after")
    def _complete(self) -> DefenceSection:
        if self.kind == "local_dp" and self.clip is None:
            raise ValueError("local_dp needs clip (the L2 bound on the update), e.g. clip: 1.0")
        if self.kind == "prune" and self.prune_fraction == 0:
            raise ValueError("prune needs prune_fraction in (0, 1), e.g. prune_fraction: 0.9")
        return self

    @property
    def label(self) -> str:
        if self.kind == "local_dp":
            return f"local DP (clip {self.clip:g}, noise ×{self.noise_multiplier:g})"
        if self.kind == "prune":
            return f"pruning {self.prune_fraction:.0%} of the update"
        return "secure aggregation"


class SweepSection(_Section):
    batch_sizes: list[int] = Field(default_factory=lambda: [1, 4, 16], min_length=1)
    local_steps: list[int] = Field(default_factory=lambda: [1], min_length=1)
    attack: str | None = Field(default=None, description="default: the first attack listed")

    @field_validator("batch_sizes", "local_steps")
    @classmethod
    def _positive(cls, values: list[int]) -> list[int]:
        if any(v < 1 for v in values):
            raise ValueError(f"every value must be at least 1, got {values}")
        return values


class ClientMiaSection(_Section):
    rounds: int = Field(default=30, ge=1)
    local_steps: int = Field(default=10, ge=1)
    lr: float = Field(default=0.2, gt=0)
    records_per_client: int = Field(default=30, ge=1)
    clients: int = Field(default=4, ge=2, description="the curious client plus the others it attacks")
    attack: dict[str, Any] = Field(default_factory=dict, description="ClientMembershipInference settings")


def _default_attacks() -> list[dict[str, dict[str, Any]]]:
    return [{"inverting_gradients": {}}]


class FederatedConfig(_Section):
    seed: int = 0
    data: DataSection = Field(default_factory=DataSection)
    model: ModelSection = Field(default_factory=ModelSection)
    clients: ClientsSection = Field(default_factory=ClientsSection)
    protocol: ProtocolSection = Field(default_factory=ProtocolSection)
    attacks: list[dict[str, dict[str, Any]]] = Field(default_factory=_default_attacks, min_length=1)
    defences: list[DefenceSection] = Field(default_factory=list)
    sweep: SweepSection | None = None
    client_mia: ClientMiaSection | None = None
    images: bool = True

    def attack_specs(self) -> list[tuple[str, dict[str, Any]]]:
        return [(name, dict(params or {})) for entry in self.attacks for name, params in entry.items()]

    def config_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:16]


def _semantic_problems(cfg: FederatedConfig) -> list[str]:
    """Cross-field checks pydantic cannot express field by field."""
    from leakpro.federated.models import registered_federated_models

    problems: list[str] = []
    if cfg.model.name not in registered_federated_models():
        problems.append(f"model.name: unknown model {cfg.model.name!r}; "
                        f"fix: use one of {registered_federated_models()}")
    if cfg.clients.target >= cfg.clients.count:
        problems.append(f"clients.target: {cfg.clients.target} but only {cfg.clients.count} clients; "
                        f"fix: use 0..{cfg.clients.count - 1}")
    if cfg.protocol.attack_round >= cfg.protocol.rounds:
        problems.append(f"protocol.attack_round: {cfg.protocol.attack_round} but rounds is {cfg.protocol.rounds}; "
                        "fix: attack a round before the last (0-based)")
    names = [name for name, _ in cfg.attack_specs()] + ([cfg.sweep.attack] if cfg.sweep and cfg.sweep.attack else [])
    for i, entry in enumerate(cfg.attacks):
        if len(entry) != 1:
            problems.append(f"attacks[{i}]: each entry must name exactly one attack, got {sorted(entry)}; "
                            "fix: write '- inverting_gradients: {iterations: 500}'")
    for i, (name, params) in enumerate(cfg.attack_specs()):
        problems += _attack_problems(f"attacks[{i}].{name}", name, params)
    for name in names:
        if (name == "tabular_inversion") != (cfg.data.name == "adult"):
            problems.append(f"attacks: {name!r} does not fit data.name {cfg.data.name!r}; fix: use "
                            "tabular_inversion for adult and inverting_gradients / dlg / idlg for images")
    if cfg.client_mia is not None:
        try:
            ClientMiaParams(**cfg.client_mia.attack)
        except ValidationError as exc:
            problems += [f"client_mia.attack.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return problems


def _attack_problems(field: str, name: str, params: dict[str, Any]) -> list[str]:
    try:
        cls = get_server_attack(name)
    except KeyError as exc:
        return [f"{field}: {exc.args[0]}"]
    try:
        cls.Params(**params)
    except ValidationError as exc:
        known = sorted(cls.Params.model_fields) if issubclass(cls.Params, AttackParams) else []
        return [f"{field}.{'.'.join(map(str, e['loc']))}: {e['msg']}; fix: settings are {known}" for e in exc.errors()]
    return []


def parse_federated_config(raw: dict[str, Any] | FederatedConfig) -> FederatedConfig:
    """Validate a config dict; raises :class:`FederatedConfigError` listing every problem."""
    if isinstance(raw, FederatedConfig):
        cfg = raw
    else:
        if not isinstance(raw, dict):
            raise FederatedConfigError([f"config: expected a mapping of sections, got {type(raw).__name__}"])
        try:
            cfg = FederatedConfig.model_validate(raw)
        except ValidationError as exc:
            raise FederatedConfigError([
                f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']} (got {e.get('input')!r}); "
                "fix: see the example in leakpro.federated.config" for e in exc.errors()
            ]) from exc
    problems = _semantic_problems(cfg)
    if problems:
        raise FederatedConfigError(problems)
    return cfg


def load_federated_config(path: Path) -> FederatedConfig:
    """Read a YAML (:mod:`leakpro.config.yaml_io`'s plain-data loader) or JSON config file and validate it."""
    path = Path(path)
    if not path.is_file():
        raise FederatedConfigError([f"config: file {str(path)!r} not found; fix: give the path of a YAML file"])
    try:
        raw = load_yaml_file(path)  # plain data: no anchors/aliases, no duplicate keys
    except YamlConfigError as exc:
        raise FederatedConfigError([str(exc)]) from None
    if isinstance(raw, dict) and set(raw) == {"federated"}:
        raw = raw["federated"]
    return parse_federated_config(raw or {})
