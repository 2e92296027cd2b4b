"""Choose the headline attack on reference models, without looking at the target's secret.

Page one reads a target's level at the strongest of its attacks. Picking that attack by its result on the
target is a selection on the secret, which the level must then pay for (Bonferroni over every attack and
figure: 33 intervals for 11 attacks). Here the attack is chosen before its result on the target is seen: each
attack is replayed against *pseudo-targets* — reference models whose training records the auditor knows, since
it trained them — with the remaining reference models as its own, and the attack that separates their
members best is the primary attack. The choice depends only on the reference models and the attacker's
records, never on the target or on which candidates are members, so the primary attack's figures need no
correction for the selection; they receive most of the error budget (:data:`PRIMARY_SHARE`) and every other
attack shares the rest, so a far stronger attack on the target can still raise the level (a weighted
Bonferroni split: all intervals still hold together at the stated confidence).

Only attacks that need nothing beyond the reference models' outputs on the records can be replayed: an attack
that queries new inputs (label-only perturbations, augmentations without recorded outputs) cannot be, and it
is recorded as skipped with the reason. A pseudo-target has one reference model fewer than the audit (the one
that plays the target); an attack that asks for every reference model gets the others.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leakpro.data.dataset import Features, n_rows, take
from leakpro.game.view import AttackerView, QueryOracle, ReferenceSignals, ThreatModel
from leakpro.metrics.roc import auc, resolves, roc_curve, tpr_at_fpr
from leakpro.metrics.simultaneous import LEVEL_FIGURES
from leakpro.results.levels import MEMBERSHIP_THRESHOLDS, high_rungs

PSEUDO_TARGETS = 2  # reference models that play the target in turn (a complementary pair: every candidate once)
PRIMARY_SHARE = 0.8  # part of the family-wise error budget given to the primary attack's figures
CHANCE = {"auc": 0.5, **LEVEL_FIGURES}  # each figure's value for an attack that guesses
HIGH_AT = high_rungs(MEMBERSHIP_THRESHOLDS)  # the High rung of each figure, from the report's own ladder


class NotReplayable(RuntimeError):
    """The attack asked a pseudo-target for something only the real target can answer."""


class RecordsOracle(QueryOracle):
    """A reference model's recorded outputs, answered only on the attacker's own records."""

    def __init__(self, logits: np.ndarray, features: Features, threat_model: ThreatModel) -> None:
        self._logits = logits
        self._features = features
        self.threat_model = threat_model
        self.n_classes = int(logits.shape[-1])
        self.queries = 0

    def _on_records(self, features: Features) -> int:
        """How many leading records ``features`` is (all of them, or a prefix such as the candidates)."""
        if features is self._features:
            return n_rows(features)
        n = n_rows(features)
        if n <= n_rows(self._features) and type(features) is type(self._features):
            head = take(self._features, np.arange(n))
            if isinstance(features, pd.DataFrame) and isinstance(head, pd.DataFrame):
                same = features.reset_index(drop=True).equals(head)
            else:
                same = np.array_equal(np.asarray(features), np.asarray(head))
            if same:
                return n
        raise NotReplayable("it queries inputs other than the attacker's records, which a reference model's "
                            "recorded outputs cannot answer")

    def logits(self, features: Features) -> np.ndarray:
        if self.threat_model is not ThreatModel.SCORES:
            raise NotReplayable(f"threat model {self.threat_model.value!r} does not reveal scores")
        return self._logits[: self._on_records(features)]

    def labels(self, features: Features) -> np.ndarray:
        return np.asarray(self._logits[: self._on_records(features)].argmax(axis=-1))


@dataclass(frozen=True)
class HeadlineChoice:
    """The primary attack and the evidence it was chosen on (pseudo-target figures, never the target's)."""

    primary: str | None
    pseudo_targets: int
    reference_models: int
    figures: dict[str, dict[str, float]] = field(default_factory=dict)  # attack id → figure → mean over pseudo
    skipped: dict[str, str] = field(default_factory=dict)  # attack id → why it could not be replayed

    def describe(self) -> str:
        """One sentence for the report and results.json."""
        if self.primary is None:
            why = "; ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items())) or "no attack could be replayed"
            return f"no primary attack: none could be replayed on reference models ({why})"
        return (f"{self.primary}, chosen before its result on the target was seen: it separated the members of "
                f"{self.pseudo_targets} reference models best (each playing the target, with the other "
                f"{self.reference_models - 1} as its references), by the largest figure relative to its High "
                "threshold")


def strength(figures: dict[str, float]) -> float:
    """How far an attack's figures go from chance towards their High rung (the largest of them)."""
    return max((figures[k] - CHANCE[k]) / (HIGH_AT[k] - CHANCE[k]) for k in figures)


def _pseudo_view(view: AttackerView, full: ReferenceSignals, j: int) -> AttackerView:
    k_all = full.logits.shape[0]
    others = [i for i in range(k_all) if i != j]

    def source(k: int) -> ReferenceSignals:
        keep = others[: max(1, min(k, len(others)))]
        return ReferenceSignals(full.logits[keep], full.trained_on[keep],
                                None if full.augmented is None else full.augmented[keep])

    logits = full.augmented[j][0] if full.augmented is not None else full.logits[j]
    oracle = RecordsOracle(np.asarray(logits), view.records.features, view.threat_model)
    pseudo = AttackerView(view.threat_model, view.records, view.n_candidates, oracle, source, view.seed)
    if view.threat_model is ThreatModel.SCORES:
        pseudo._target_logits = np.asarray(logits)
        if full.augmented is not None:
            pseudo._target_augmented = np.asarray(full.augmented[j])
    return pseudo


def _figures(scores: np.ndarray, members: np.ndarray) -> dict[str, float]:
    roc = roc_curve(scores, members)
    out = {"auc": auc(scores, members)}
    for key, level in LEVEL_FIGURES.items():
        if resolves(roc.negatives, level):
            op = tpr_at_fpr(roc, level)
            out[key] = op.tp / op.positives
    return out


def choose_headline(attacks: Sequence[tuple[str, object]], view: AttackerView,
                    references: Callable[[int], ReferenceSignals] | None, reference_models: int) -> HeadlineChoice:
    """Replay every attack (id, attack object with ``run(view)``) on pseudo-targets and pick the strongest.

    Each attack is deep-copied first, so what it records about itself (``derived``) stays the target's.
    """
    if references is None or reference_models < 2:
        why = "the audit has no reference models" if references is None else \
            f"{reference_models} reference model(s): a pseudo-target needs one to play the target and one more"
        return HeadlineChoice(None, 0, reference_models, {}, {aid: why for aid, _ in attacks})
    full = references(reference_models)
    pseudo = list(range(min(PSEUDO_TARGETS, reference_models)))
    figures: dict[str, dict[str, float]] = {}
    skipped: dict[str, str] = {}
    for aid, attack in attacks:
        runs = []
        for j in pseudo:
            truth = np.asarray(full.trained_on[j, : view.n_candidates], dtype=bool)
            try:
                s = copy.deepcopy(attack).run(_pseudo_view(view, full, j))  # type: ignore[attr-defined]
            except NotReplayable as exc:
                skipped[aid] = str(exc)
                break
            except Exception as exc:  # an attack that cannot run with one reference model fewer
                skipped[aid] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip()
                break
            runs.append(_figures(np.asarray(s, dtype=np.float64), truth))
        else:
            keys = set.intersection(*(set(r) for r in runs))
            figures[aid] = {k: float(np.mean([r[k] for r in runs])) for k in sorted(keys)}
    primary = max(sorted(figures), key=lambda a: strength(figures[a]), default=None)
    return HeadlineChoice(primary, len(pseudo), reference_models, figures, skipped)
