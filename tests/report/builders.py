"""Stored inputs for the new sections, built in seconds: defences, API attacks and a federated audit.

Defence figures are computed from planted scores by the audit's own code (ε bounds, risk–utility rows); the
extraction, property-inference and federated results are written by hand from their pydantic models, and the
federated PNG grids by the federated audit's own grid writer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from leakpro.attacks.extraction.results import (
    CurvePoint,
    ExtractionResult,
    MembershipComparison,
    SurrogateMembershipResult,
)
from leakpro.attacks.property.results import PropertyInferenceResult
from leakpro.audit.runner import risk_utility
from leakpro.federated.images import save_reconstruction_grid
from leakpro.federated.results import ClientMiaOutcome, FederatedAuditResult, ReconstructionOutcome, Setting
from leakpro.metrics.epsilon import epsilon_lower_bound
from leakpro.results.types import AuditResult, EpsilonHeuristic, Interval, OneRunResult, TargetResult

from .conftest import _target


def _with_bounds(target: TargetResult, table: pd.DataFrame) -> TargetResult:
    members = table["member"].to_numpy(dtype=bool)
    attacks = []
    for a in target.attacks:
        bound = epsilon_lower_bound(table[a.scores_column].to_numpy(dtype=float), members, seed=a.seed)
        attacks.append(a.model_copy(update={"epsilon_heuristic": EpsilonHeuristic(**vars(bound))}))
    return target.model_copy(update={"attacks": attacks})


def add_defences(out: Path, result: AuditResult) -> AuditResult:
    """A DP-SGD variant (no leak) and a rounded-output variant (leaks), ε bounds on every attack, risk–utility
    rows from the audit's own function, and two one-run audits."""
    base = pd.read_csv(out / result.targets[0].scores_file)
    records, members = base["record"].to_numpy(), base["member"].to_numpy(dtype=bool)
    dp = _target("dp", "defence", 31, False, records, members, out).model_copy(update={
        "test_accuracy": 0.74, "privacy": {"epsilon": 2.0, "delta": 1e-5, "noise_multiplier": 1.1},
        "defence": {"name": "dp", "recipe": {"dp": {"target_epsilon": 2.0, "max_grad_norm": 1.0}, "epochs": 5},
                    "output": None}})
    rounded = _target("rounded", "defence", 32, True, records, members, out).model_copy(update={
        "test_accuracy": 0.83, "defence": {"name": "rounded", "recipe": {}, "output": {"round": 1}}})
    targets = [_with_bounds(t, pd.read_csv(out / t.scores_file)) for t in [*result.targets, dp, rounded]]
    one_run = [
        OneRunResult(variant="target", canaries=400, included=197, guesses=100, correct=83, delta=1e-5,
                     confidence=0.95, epsilon_lower_bound=0.8123, accountant_epsilon=None),
        OneRunResult(variant="dp", canaries=400, included=205, guesses=100, correct=52, delta=1e-5,
                     confidence=0.95, epsilon_lower_bound=0.0, accountant_epsilon=1.9876),
    ]
    return result.model_copy(update={"targets": targets, "risk_utility": [risk_utility(t) for t in targets],
                                     "one_run": one_run})


def _interval(value: float, low: float, high: float, method: str) -> Interval:
    return Interval(value=value, low=low, high=high, method=method)


def extraction_results() -> dict[str, object]:
    """An extraction curve of three checkpoints and a surrogate-membership comparison."""
    points = [(100, 240, 201), (400, 271, 215), (1600, 288, 222)]
    curve = [CurvePoint(queries=q, fidelity=_interval(a / 300, a / 300 - 0.04, a / 300 + 0.03, "wilson"),
                        accuracy=_interval(c / 300, c / 300 - 0.05, c / 300 + 0.04, "wilson"), agreements=a,
                        correct=c, n_eval=300) for q, a, c in points]
    extraction = ExtractionResult(
        attack="knockoff", title="Knockoff surrogate extraction", paper="Orekondy et al., Knockoff Nets, CVPR 2019",
        threat_model="scores", params={"budget": 1600}, seed=3, queries=1600, evaluation_queries=300, curve=curve,
        target_accuracy=_interval(0.7567, 0.7046, 0.8021, "wilson"), baseline_fidelity=0.6633,
        surrogate="PyTorch MLP (11,266 parameters)", runtime_s=1.25)
    membership = SurrogateMembershipResult(
        label_only=[MembershipComparison(attack="label_only_augmentation", access="api-labels",
                                         auc=_interval(0.5611, 0.52, 0.60, "delong"), tpr_at_1pct_fpr=0.0,
                                         queries=10200)],
        with_surrogate=[MembershipComparison(attack="rmia", access="surrogate-scores",
                                             auc=_interval(0.6789, 0.64, 0.71, "delong"), tpr_at_1pct_fpr=0.0467,
                                             queries=0)],
        auc_gain=0.1178, summary="With a stolen surrogate, rmia reaches AUC 0.679: planted summary sentence.")
    return {"extraction": extraction.model_dump(mode="json"),
            "surrogate_membership": membership.model_dump(mode="json")}


def property_results() -> dict[str, object]:
    """Property inference that beats guessing, with a guess for the target."""
    return PropertyInferenceResult(
        title="Property inference (shadow models + meta-classifier)", paper="Ganju et al., CCS 2018",
        access="black_box", property="sex=Female", t0=0.2, t1=0.8, shadow_models=16, evaluation_models=20,
        train_size=300, queries=200, accuracy=_interval(0.85, 0.6211, 0.9679, "clopper-pearson"), correct=17,
        better_than_chance=True, target_p_t1=0.9134, target_fraction=0.7433, seed=3, runtime_s=2.5,
        summary="Planted property summary sentence.").model_dump(mode="json")


def write_full(out: Path, result: AuditResult) -> AuditResult:
    """results.json with defences, extraction and property inference (beside the planted scores in ``out``)."""
    full = add_defences(out, result).model_copy(update={"extraction": extraction_results(),
                                                        "property_inference": property_results()})
    (out / "results.json").write_text(full.model_dump_json(indent=2), encoding="utf-8")
    return full


def _outcome(attack: str, batch: int, steps: int, defence: str, psnr: list[float], out: Path,
             image: str, rng: np.random.Generator) -> ReconstructionOutcome:
    originals = rng.random((batch, 1, 8, 8))
    save_reconstruction_grid(originals, originals + rng.normal(0, 0.1, originals.shape), out / image,
                             title=f"{attack} · batch {batch} · {defence}", psnrs=psnr)
    return ReconstructionOutcome(
        attack=attack, paper=f"Paper of {attack}", params={"iterations": 10},
        setting=Setting(algorithm="fedsgd" if steps == 1 else "fedavg", batch_size=batch, local_steps=steps,
                        local_batch_size=None, lr=0.1, clients=4, defence=defence),
        psnr=psnr, ssim=[0.9] * batch, mean_psnr=float(np.mean(psnr)), mean_ssim=0.9123, label_accuracy=1.0,
        matching_loss=0.01, baseline_mean_image_psnr=11.7417, baseline_random_image_psnr=9.0158, runtime_s=0.5,
        image=image)


def write_federated(out: Path, seed: int = 0) -> FederatedAuditResult:
    """federated_results.json and its PNG grids: two attacks, two defences, a 2 × 2 sweep, a curious client."""
    rng = np.random.default_rng(seed)
    attacks = [_outcome("inverting_gradients", 1, 1, "none", [34.5678], out, "federated_images/a_ig.png", rng),
               _outcome("idlg", 1, 1, "none", [13.2109], out, "federated_images/a_idlg.png", rng)]
    defences = [_outcome("inverting_gradients", 1, 1, "local DP (clip 1, noise ×0.1)", [9.4321], out,
                         "federated_images/d_dp.png", rng),
                _outcome("inverting_gradients", 1, 1, "secure aggregation", [16.0], out,
                         "federated_images/d_sa.png", rng)]
    sweep = [_outcome("inverting_gradients", b, s, "none", [31.0 - 3 * b - s + i for i in range(b)], out,
                      f"federated_images/s_b{b}_s{s}.png", rng) for s in (1, 4) for b in (1, 4)]
    mia = ClientMiaOutcome(attack="client_mia", paper="Nasr et al. 2019", params={"signal": "loss_drop"}, rounds=10,
                           clients=4, members=90, non_members=90, auc=0.6083, auc_low=0.5247, auc_high=0.6918,
                           null_auc=0.51, null_auc_low=0.4254, null_auc_high=0.5946, runtime_s=9.27)
    result = FederatedAuditResult(
        config={"seed": seed, "data": {"name": "digits"}}, config_hash="feedc0ffee123456", seed=seed,
        versions={"python": "3.11", "leakpro": "0.0-test"}, data="digits", model="mlp", attacks=attacks,
        defences=defences, sweep=sweep, client_mia=mia, runtime_s=12.5)
    (out / "federated_results.json").write_text(result.to_json(), encoding="utf-8")
    return result
