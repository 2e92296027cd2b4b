"""A stolen surrogate as a stand-in for score access: membership inference through extraction.

Threat model: a label-only API. The attacker first extracts a surrogate by querying the API with its own
records (candidates and population) and training on the labels it returns (knockoff, hard labels), then
runs score-based membership attacks (LOSS, RMIA, …) on the surrogate's logits instead of the target's.
This is the transfer attack of Li & Zhang (Membership Leakage in Label-Only Exposures, CCS 2021), here with
the attacker's own records as the transfer set. The comparison reports each attack's AUC with the label-only
API and with the surrogate, and the gain (which may be negative: a surrogate is not always better).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from leakpro.attacks.extraction.results import MembershipComparison, SurrogateMembershipResult
from leakpro.attacks.membership.base import get_attack
from leakpro.game.challenger import MembershipGame
from leakpro.game.view import AttackerView, QueryOracle, ReferenceSignals, ThreatModel
from leakpro.metrics.summary import membership_metrics
from leakpro.targets.protocol import Target


def _no_references(k: int) -> ReferenceSignals:
    raise RuntimeError("this comparison has no reference models: pass reference_source (e.g. ReferenceBank.signals)")


def _run(game: MembershipGame, target: Target, threat: ThreatModel, name: str, access: str, seed: int,
         reference_source: Callable[[int], ReferenceSignals]) -> MembershipComparison:
    oracle = QueryOracle(target, threat)
    view = AttackerView(threat, game.attacker_records(), game.n_candidates, oracle, reference_source, seed)
    scores = get_attack(name)(random_state=seed).run(view)
    metrics = membership_metrics(scores, game.members)
    tpr_1 = next(p.tpr.value for p in metrics["tpr_at_fpr"] if p.fpr_level == 0.01)
    return MembershipComparison(attack=name, access=access, auc=metrics["auc"], tpr_at_1pct_fpr=tpr_1,
                                queries=oracle.queries if access == "api-labels" else 0)


def surrogate_membership_gain(game: MembershipGame, api: Target, surrogate: Target, *,
                              score_attacks: Sequence[str] = ("loss",),
                              label_attacks: Sequence[str] = ("label_only_augmentation",), seed: int = 0,
                              reference_source: Callable[[int], ReferenceSignals] | None = None,
                              ) -> SurrogateMembershipResult:
    """Membership AUC with the label-only ``api`` versus score attacks on the stolen ``surrogate``.

    The challenger scores both from the same game; neither attack sees the membership labels.
    """
    refs = reference_source or _no_references
    label_only = [_run(game, api, ThreatModel.LABELS, a, "api-labels", seed, refs) for a in label_attacks]
    stolen = [_run(game, surrogate, ThreatModel.SCORES, a, "surrogate-scores", seed, refs) for a in score_attacks]
    best_label = max(r.auc.value for r in label_only)
    best_stolen = max(stolen, key=lambda r: r.auc.value)
    gain = best_stolen.auc.value - best_label
    separated = best_stolen.auc.low > max(r.auc.high for r in label_only)
    verb = "raises" if gain > 0 else "does not raise"
    summary = (f"With a stolen surrogate, {best_stolen.attack} reaches AUC {best_stolen.auc.value:.3f} "
               f"[{best_stolen.auc.low:.3f}, {best_stolen.auc.high:.3f}] against {best_label:.3f} for the best "
               f"label-only attack: extraction {verb} the membership risk by {gain:+.3f} AUC"
               + (" (intervals do not overlap)." if separated else " (intervals overlap: not a clear difference)."))
    return SurrogateMembershipResult(label_only=label_only, with_surrogate=stolen, auc_gain=float(np.round(gain, 6)),
                                     summary=summary)
