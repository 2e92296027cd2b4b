"""Model extraction and property inference as parts of an audit (``extraction:`` / ``property:`` sections).

Extraction (Tramèr et al. 2016; Orekondy et al. 2019) queries the audited target through the threat
model's API with the attacker's population records as the public pool, is judged on held-out candidate
non-members, and the stolen surrogate then stands in for score access in membership attacks (how much
stronger the membership attack gets with it). Property inference (Ganju et al. 2018) trains shadow models
on the population records at two property fractions and is judged on evaluation models trained on the
candidates; it also reports P(t1) for the audited target beside the target's true fraction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from leakpro.config.errors import ConfigIssue
from leakpro.config.schema import AuditConfig
from leakpro.data.dataset import take
from leakpro.game.challenger import MembershipGame
from leakpro.game.view import ThreatModel
from leakpro.targets.protocol import Target


def check_api_sections(config: AuditConfig, game: MembershipGame | None, issues: list[ConfigIssue]) -> None:
    """Validate the extraction and property sections up front (attack names, parameters, column, value)."""
    from leakpro.attacks.extraction import EXTRACTION_ATTACKS
    from leakpro.attacks.property.ganju import PropertyParams

    if config.extraction is not None:
        spec = config.extraction
        if spec.attack not in EXTRACTION_ATTACKS:
            issues.append(ConfigIssue("extraction.attack", "unknown extraction attack",
                                      f"use one of {EXTRACTION_ATTACKS.names()}", spec.attack))
        else:
            attack_cls = EXTRACTION_ATTACKS.get(spec.attack)
            _params_issues(lambda: attack_cls.Params(**spec.params), "extraction.params", issues)
    if config.property is not None:
        spec_p = config.property
        _params_issues(lambda: PropertyParams(**spec_p.params), "property.params", issues)
        frame = game.dataset.frame if game is not None else None
        if game is not None and (frame is None or spec_p.column not in frame.columns):
            issues.append(ConfigIssue("property.column", "not a column of the data",
                                      f"use one of {list(frame.columns) if frame is not None else []}", spec_p.column))
        elif frame is not None and not (frame[spec_p.column].astype(str) == spec_p.value).any():
            issues.append(ConfigIssue("property.value", f"no row has {spec_p.column} = {spec_p.value!r}",
                                      "give a value that occurs in the column", spec_p.value))



def _params_issues(build: Any, field: str, issues: list[ConfigIssue]) -> None:
    from pydantic import ValidationError

    try:
        build()
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            issues.append(ConfigIssue(f"{field}.{loc}", err["msg"], "see the attack's parameters",
                                      repr(err.get("input"))[:60]))


def run_extraction_section(config: AuditConfig, game: MembershipGame, target: Target) -> dict[str, Any]:
    """Extract the target, judge fidelity/accuracy, and compare membership with the stolen surrogate."""
    from leakpro.attacks.extraction import EXTRACTION_ATTACKS, run_extraction
    from leakpro.audit.surrogate_membership import surrogate_membership_gain

    assert config.extraction is not None
    spec = config.extraction
    attack = EXTRACTION_ATTACKS.get(spec.attack)(random_state=config.seed, **spec.params)
    ds = game.dataset
    pool = take(ds.features, game.population)
    eval_rows = game.candidates[~game.members]
    result, surrogate = run_extraction(attack, target, ThreatModel(config.threat_model), pool,
                                       take(ds.features, eval_rows), ds.labels[eval_rows])
    gain = surrogate_membership_gain(game, target, surrogate, seed=config.seed)
    return {"extraction": result.model_dump(mode="json"), "surrogate_membership": gain.model_dump(mode="json")}


def run_property_section(config: AuditConfig, game: MembershipGame, target: Target) -> dict[str, Any]:
    """Shadow models on the population, evaluation models on the candidates, and P(t1) for the target."""
    from leakpro.attacks.property.evaluate import evaluate_property_inference
    from leakpro.attacks.property.ganju import PropertyInference

    assert config.property is not None and game.dataset.frame is not None
    spec = config.property
    has = (game.dataset.frame[spec.column].astype(str) == spec.value).to_numpy()
    attack = PropertyInference(random_state=config.seed, **spec.params).fit(
        game.dataset.subset(game.population), has[game.population])
    members = game.member_indices()
    result = evaluate_property_inference(
        attack, game.dataset.subset(game.candidates), has[game.candidates], property_name=f"{spec.column}={spec.value}",
        evaluation_models=spec.evaluation_models, target=target, target_fraction=float(np.mean(has[members])),
        seed=config.seed + 1,
    )
    return result.model_dump(mode="json")
