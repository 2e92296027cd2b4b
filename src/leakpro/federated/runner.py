"""Run a federated audit from a config: simulate, let the curious server and client attack, score, write.

The challenger (this module) holds the clients' partitions. It simulates the run up to the attacked round
with :class:`~leakpro.federated.simulation.FederatedSimulation`, hands each server-side attack only the
:class:`~leakpro.federated.attacks.base.ServerView`, and scores the returned reconstructions against the
target client's records (matching for evaluation only), beside population baselines. Then it re-tests the
first attack under each configured defence, sweeps batch size × local steps, and runs the curious client's
membership inference. Results go to ``out/federated_results.json``, image grids to ``out/federated_images``.

>>> # result = run_federated_audit({"data": {"name": "digits"}, "model": {"name": "mlp"}}, Path("out"))
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from leakpro.data.federated import FederatedData, load_federated_data
from leakpro.federated.attacks.base import ServerView, get_server_attack
from leakpro.federated.attacks.client_mia import ClientMembershipInference
from leakpro.federated.client import Protocol
from leakpro.federated.config import DefenceSection, FederatedConfig, parse_federated_config
from leakpro.federated.defences import LocalDefence
from leakpro.federated.models import build_federated_model
from leakpro.federated.results import (
    ClientMiaOutcome,
    FederatedAuditResult,
    ReconstructionOutcome,
    Setting,
)
from leakpro.federated.scoring import score_reconstruction
from leakpro.federated.simulation import FederatedSimulation
from leakpro.metrics.roc import auc_delong_interval
from leakpro.results.environment import package_versions

RESULTS_FILE = "federated_results.json"
IMAGES_DIR = "federated_images"
Progress = Callable[[str], None]


def _protocol(cfg: FederatedConfig, local_steps: int | None = None) -> Protocol:
    p = cfg.protocol
    steps = p.local_steps if local_steps is None else local_steps
    algorithm = p.algorithm if steps == 1 else "fedavg"
    return Protocol(algorithm=algorithm, local_steps=steps, local_batch_size=p.local_batch_size, lr=p.lr)


def observe_round(
    cfg: FederatedConfig, data: FederatedData, protocol: Protocol, *, records_per_client: int,
    defence: DefenceSection | None = None,
) -> tuple[ServerView, FederatedSimulation]:
    """Simulate up to ``protocol.attack_round`` and return the server's view of the target's update there."""
    model = build_federated_model(cfg.model.name, cfg.model.params, input_shape=data.input_shape,
                                  n_classes=data.n_classes, seed=cfg.seed)
    local = None
    if defence is not None and defence.kind != "secure_aggregation":
        local = LocalDefence(clip=defence.clip, noise_multiplier=defence.noise_multiplier,
                             prune_fraction=defence.prune_fraction)
    sim = FederatedSimulation(data, model, protocol, n_clients=cfg.clients.count,
                              records_per_client=records_per_client, defence=local, seed=cfg.seed)
    params = sim.initial_params
    for _ in range(cfg.protocol.attack_round):
        params = sim.apply(params, sim.round(params))
    secure = defence is not None and defence.kind == "secure_aggregation"
    view = sim.server_view(params, sim.round(params), cfg.clients.target, secure_aggregation=secure)
    return view, sim


def _attack_one(
    cfg: FederatedConfig, data: FederatedData, name: str, params: dict[str, Any], *, protocol: Protocol,
    records_per_client: int, defence: DefenceSection | None, out: Path, image_name: str,
) -> ReconstructionOutcome:
    view, sim = observe_round(cfg, data, protocol, records_per_client=records_per_client, defence=defence)
    attack = get_server_attack(name)(random_state=cfg.seed, **params)
    start = time.perf_counter()
    reconstruction = attack.run(view)
    runtime = time.perf_counter() - start
    setting = Setting(algorithm=protocol.algorithm, batch_size=records_per_client, local_steps=protocol.local_steps,
                      local_batch_size=protocol.local_batch_size, lr=protocol.lr, clients=cfg.clients.count,
                      defence=defence.label if defence is not None else "none")
    image = Path(IMAGES_DIR) / f"{image_name}.png" if cfg.images and data.is_image else None
    return score_reconstruction(
        reconstruction, sim, cfg.clients.target, attack_name=name, paper=attack.paper,
        params=attack.params.model_dump(), setting=setting, runtime_s=runtime, out=out, image=image,
    )


def _client_mia(cfg: FederatedConfig, data: FederatedData) -> ClientMiaOutcome:
    """The curious client (client 0) scores other clients' records against population records."""
    spec = cfg.client_mia
    assert spec is not None
    model = build_federated_model(cfg.model.name, cfg.model.params, input_shape=data.input_shape,
                                  n_classes=data.n_classes, seed=cfg.seed)
    protocol = Protocol(algorithm="fedavg", local_steps=spec.local_steps,
                        local_batch_size=cfg.protocol.local_batch_size, lr=spec.lr)
    sim = FederatedSimulation(data, model, protocol, n_clients=spec.clients,
                              records_per_client=spec.records_per_client, seed=cfg.seed + 1)
    start = time.perf_counter()
    history = sim.run(spec.rounds)
    members = np.concatenate(sim.partitions[1:])
    n = len(members)
    if len(sim.population) < 3 * n:
        raise ValueError(f"client_mia: needs {3 * n} population records, the data has {len(sim.population)}; "
                         "fix: lower client_mia.records_per_client or client_mia.clients")
    attack = ClientMembershipInference(random_state=cfg.seed, **spec.attack)

    def auc_of(positive: np.ndarray, negative: np.ndarray) -> tuple[float, float, float]:
        idx = torch.from_numpy(np.concatenate([positive, negative]))
        scores = attack.scores(model, history, data.x[idx], data.y[idx])
        return auc_delong_interval(scores, np.r_[np.ones(len(positive)), np.zeros(len(negative))])

    real = auc_of(members, sim.population[:n])
    null = auc_of(sim.population[n:2 * n], sim.population[2 * n:3 * n])  # neither set was trained on
    return ClientMiaOutcome(
        attack=attack.name, paper=attack.paper, params=attack.params.model_dump(), rounds=spec.rounds,
        clients=spec.clients, members=n, non_members=n, auc=real[0], auc_low=real[1], auc_high=real[2],
        null_auc=null[0], null_auc_low=null[1], null_auc_high=null[2], runtime_s=time.perf_counter() - start,
    )


def _sweep(cfg: FederatedConfig, data: FederatedData, out: Path, say: Progress) -> list[ReconstructionOutcome]:
    if cfg.sweep is None:
        return []
    name = cfg.sweep.attack or cfg.attack_specs()[0][0]
    params = dict(cfg.attack_specs()).get(name, {})
    results = []
    for steps in cfg.sweep.local_steps:
        for batch in cfg.sweep.batch_sizes:
            say(f"sweep: {name}, batch size {batch}, local steps {steps}")
            results.append(_attack_one(cfg, data, name, params, protocol=_protocol(cfg, steps),
                                       records_per_client=batch, defence=None, out=out,
                                       image_name=f"sweep_{name}_b{batch}_s{steps}"))
    return results


def run_federated_audit(
    config: dict[str, Any] | FederatedConfig, out: Path, *, progress: Progress | None = None
) -> FederatedAuditResult:
    """Run the whole federated audit described by ``config``; write ``out/federated_results.json``."""
    cfg = parse_federated_config(config)
    say = progress or (lambda _msg: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    data = load_federated_data(cfg.data.name, cfg.data.split)
    protocol, records = _protocol(cfg), cfg.clients.records_per_client
    attacks = []
    for name, params in cfg.attack_specs():
        say(f"server attack: {name}")
        attacks.append(_attack_one(cfg, data, name, params, protocol=protocol, records_per_client=records,
                                   defence=None, out=out, image_name=f"attack_{name}"))
    first, first_params = cfg.attack_specs()[0]
    defences = []
    for i, defence in enumerate(cfg.defences):
        say(f"defence: {defence.label}")
        defences.append(_attack_one(cfg, data, first, first_params, protocol=protocol, records_per_client=records,
                                    defence=defence, out=out, image_name=f"defence_{i}_{defence.kind}"))
    sweep = _sweep(cfg, data, out, say)
    if cfg.client_mia is not None:
        say("client-side membership inference")
    client_mia = _client_mia(cfg, data) if cfg.client_mia is not None else None
    result = FederatedAuditResult(
        config=cfg.model_dump(mode="json"), config_hash=cfg.config_hash(), seed=cfg.seed, versions=package_versions(),
        data=data.name, model=cfg.model.name, attacks=attacks, defences=defences, sweep=sweep,
        client_mia=client_mia, runtime_s=time.perf_counter() - start,
    )
    (out / RESULTS_FILE).write_text(result.to_json())
    return result
