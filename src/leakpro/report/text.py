"""Plain-language text: what each threat model reveals, what each attack did, what each level means.

Words only; every number in a sentence is filled in from the results by the caller.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from leakpro.report import fmt
from leakpro.report.risk import RiskLevel
from leakpro.results.types import AttackResult, AuditResult

THREAT_MODELS = {
    "scores": "the attacker can send records to the model and read the scores it returns (class probabilities"
              " or logits), as through a prediction API",
    "labels": "the attacker can send records to the model and read only the predicted label",
}

# What the attacker had (beyond query access) and what it did; {placeholders} come from the attack's params.
ATTACKS: dict[str, tuple[str, str]] = {
    "loss": ("only query access: no extra data and no models of its own",
             "It flags a record as a member when the model's loss on it is low (members are fitted better)."),
    "population": ("query access and a sample of people from the same population who are known not to be in "
                   "the training data",
                   "It calibrates one loss threshold on those known non-members, so that a score reads as the "
                   "share of non-members the model fits worse."),
    "reference": ("query access, population data and {reference_models} reference models it trained itself on "
                  "look-alike data",
                  "For each record it compares the model's loss with the losses of reference models that did "
                  "not train on it, which corrects for records that are simply easy or hard."),
    "lira": ("query access, population data and {reference_models} reference models ({mode} variant)",
             "It models, per record, how confident a model is on it with and without training on it, and "
             "scores the likelihood ratio of the two (the attack regarded as the standard in the field)."),
    "rmia": ("query access, population data and {reference_models} reference models ({mode} variant)",
             "It compares how much more likely the record is under the audited model than under the reference "
             "models, relative to population records (a strong attack at low cost)."),
    "qmia": ("query access and population data; no reference models",
             "It learns from known non-members what score the model gives a non-member like this record, and "
             "flags records the model is unusually confident about."),
    "shadow": ("query access, population data and {reference_models} shadow models whose training data it "
               "knows",
               "It trains a classifier on the shadow models' outputs to tell members from non-members, then "
               "applies it to the audited model's outputs (the original 2017 attack, kept as a baseline)."),
    "gap": ("only the predicted label of each record (one query per record)",
            "It calls every record the model classifies correctly a member (the generalisation gap); "
            "it is the baseline a label-only attack must beat to be worth its many queries."),
    "label_only_augmentation": ("only the predicted labels: {queries} noisy copies of each record are sent",
                                "It counts how often the label stays correct under small perturbations; "
                                "training records tend to sit in wide, stable regions."),
    "label_only_boundary": ("only the predicted labels, with repeated queries ({directions} directions × "
                            "{steps} steps per record)",
                            "It estimates how far each record is from the model's decision boundary; "
                            "training records tend to lie further away."),
}

LABEL_ONLY = frozenset({"gap", "label_only_augmentation", "label_only_boundary"})

LEVEL_MEANING = {
    RiskLevel.LOW: (
        "The attacks did not single out members reliably: their results stay close to guessing. This supports, "
        "but does not prove, that extracting personal data from the model with the means tested here is "
        "insignificant."
    ),
    RiskLevel.MODERATE: (
        "The attacks did better than guessing, but could not confidently identify individuals. An attacker "
        "with these means learns something about who was in the training data; document the residual risk "
        "and consider mitigations."
    ),
    RiskLevel.HIGH: (
        "Some people in the training data can be identified as such with few false alarms. With means "
        "reasonably likely to be used, personal data can be inferred from this model; it should not be "
        "treated as anonymous."
    ),
    RiskLevel.VERY_HIGH: (
        "Many people in the training data can be identified as such with very few false alarms. The model "
        "leaks membership strongly and must be handled as personal data; mitigate (e.g. differentially "
        "private training, less overfitting) before release."
    ),
}

MEMBERSHIP_HOW = (
    "<b>Membership.</b> Each attack's level is the highest rung whose threshold one of its measured figures reaches: "
    "the true-positive rate at a low false-positive rate (1 % and 0.1 %: can the attacker be sure about some "
    "people?) and the AUC (is it better than guessing on average?). Every figure has a 95 % interval; the level's "
    "interval is the pair of levels read at the lower and upper ends of those intervals. A model's overall level "
    "picks the strongest of several attacks, which would flatter chance: it is read at the lower ends of intervals "
    "made to hold together over every attack and figure (Bonferroni), and reaches a rung only when some attack "
    "reaches it with that confidence. The null control, a model that never saw the members, is attacked the same "
    "way: its level is what no leakage looks like."
)

SYNTHETIC_HOW = (
    "<b>Synthetic data.</b> Each attack's risk is the share of its success on the generator's training records that "
    "its success on control records (real records the generator never saw) cannot explain; membership on the "
    "synthetic table is read from the AUC. A question's level is read at the lower end of 95 % intervals made "
    "simultaneous over the k attacks of its family (Bonferroni: each attack's interval at 1 − 0.05/k), so trying "
    "many attacks does not raise it by chance; the upper ends give the top of the level's range. When the control "
    "already succeeds (at least 95 % with confidence) the risk is undefined, said so, and decides nothing."
)

SYNTHETIC_QUESTIONS = {
    "singling_out": "singling out",
    "linkability": "linkability",
    "inference": "inference",
    "synthetic_membership": "membership",
}

SYNTHETIC_HEADLINE = "Synthetic table: highest risk ({question})"

SYNTHETIC_FAMILY_NOTE = (
    "Level read at the lower end of 95 % intervals made simultaneous over k = {k} {attacks} (Bonferroni: each "
    "attack's interval at {confidence}); the upper ends give the top of the level's range."
)

SYNTHETIC_NO_SIMULTANEOUS = (
    "Level read at the lower end of each attack's own 95 % interval: this results file records no intervals made "
    "simultaneous over the family's attacks (written by an older LeakPro; re-run the audit for them), so the level "
    "is not corrected for the number of attacks."
)

SYNTHETIC_UNDEFINED = (
    "The risk (ORI − CONTROL) / (1 − CONTROL) is undefined when the control already succeeds: when every control "
    "target succeeded, or when the lower end of the control's success interval (at the confidence the level is "
    "read at) is at least 95 %. The synthetic table can then add at most 5 % of the targets beyond what the "
    "population gives — no more than the smallest excess the levels count — while the ratio divides by a number "
    "too near 0 to estimate (498 of 500 control successes would give a risk anywhere between large negative values "
    "and 100 %). Such an attack is listed with its reason and decides no level."
)

SYNTHETIC_MEANING = {
    RiskLevel.LOW: (
        "The attacks on the synthetic table did no better on the generator's training records than on real records "
        "it never saw, beyond what chance allows over all the attacks tried. This supports, but does not prove, "
        "that the synthetic table does not expose the people it was made from to the means tested here."
    ),
    RiskLevel.MODERATE: (
        "At least one attack did measurably better on the generator's training records than on real records the "
        "generator never saw, but the excess is small. The synthetic table reveals something about the people it "
        "was made from; document the residual risk and consider a more private generator."
    ),
    RiskLevel.HIGH: (
        "For at least one in five of the generator's training records, an attack on the synthetic table succeeds "
        "beyond what real records it never saw explain (or membership is clearly detectable). The synthetic table "
        "exposes the people it was made from and should not be treated as anonymous."
    ),
    RiskLevel.VERY_HIGH: (
        "For at least half of the generator's training records, an attack on the synthetic table succeeds beyond "
        "what real records it never saw explain (or membership is detected most of the time). The synthetic table "
        "gives the people it was made from away and "
        "must be handled as personal data; use a more private generator (e.g. differentially private) before "
        "release."
    ),
}

EPSILON_NOTE = (
    "<b>How to read ε.</b> Differential privacy (DP) promises that no single person's record changes what the "
    "trained model does by more than a factor e<sup>ε</sup> (up to a small failure probability δ). The "
    "<i>accountant's ε</i> is that promise, computed from the training settings: an upper limit on the privacy "
    "loss, valid only when the training really followed those settings. The <i>empirical ε lower bound</i> of the "
    "one-run canary audit comes from the other side: canaries added by coin flips that the attacker tells apart "
    "this well prove that the privacy loss is <i>at least</i> this large (at the stated δ and confidence). It is a "
    "lower bound from the attacks that were "
    "run, not a guarantee: a stronger attack could show a larger loss, and a bound of 0 does not show that the "
    "model is private. Where both are shown, the lower bound must stay below the accountant's ε; a lower bound "
    "above it means the promise does not hold, for example because of a bug in the DP training or its accounting. "
    "The <i>heuristic ε</i> beside each membership attack is not such a bound: it counts the candidates of one "
    "training run as independent trials, which they are not, so it is never compared with the accountant's ε."
)

ONE_RUN_NOTE = (
    "<b>One-run audit</b> (Steinke, Nasr, Jagielski 2023). Some population records are turned into canaries "
    "(mislabelled on purpose); each is added to the training data by a coin flip the attacker cannot see, and the "
    "model is trained once. The auditor then guesses, for the canaries it is most sure about, whether each was "
    "included. The more guesses are right, the larger the privacy loss must be: the share of correct guesses is "
    "turned into an ε lower bound at the stated δ and confidence, with no need to train hundreds of models."
)

RECONSTRUCTION_HOW = (
    "<b>Reconstruction.</b> Read from how far a server-side attack's reconstructions beat the best guess made "
    "without the client's update: the gain in PSNR (for tables, in per-column accuracy). One update gives one "
    "reconstruction per record, so the range is read at the worst and the best record, not as a 95 % interval."
)

RECONSTRUCTION_MEANING = {
    RiskLevel.LOW: (
        "The curious server's reconstructions were no better than a guess made without the client's update: with "
        "the attacks tested, the update did not give the records away."
    ),
    RiskLevel.MODERATE: (
        "The reconstructions beat a guess made without the update, but stay far from the records. The update "
        "carries information about the client's data; document the residual risk and consider mitigations."
    ),
    RiskLevel.HIGH: (
        "The curious server rebuilt the client's records recognisably from one update. Federated learning alone "
        "does not keep these data on the client; add defences (secure aggregation, larger batches, noise)."
    ),
    RiskLevel.VERY_HIGH: (
        "The curious server rebuilt near-exact copies of the client's records from one update. The update must be "
        "treated as the personal data itself; do not rely on federated learning for confidentiality."
    ),
}

GDPR_NOTE = (
    "Under the GDPR, data are anonymous only if no person is identifiable by any means reasonably likely to "
    "be used (Recital 26). European regulators test this with three criteria: can a person be "
    "<em>singled out</em>, can records about them be <em>linked</em>, and can information about them be "
    "<em>inferred</em> (Article 29 Working Party, Opinion 05/2014). The EDPB (Opinion 28/2024 on AI models) "
    "adds that a model trained on personal data is anonymous only if the likelihood of extracting personal "
    "data from it, directly or through queries, is insignificant, and lists attacks such as membership "
    "inference that a model should resist. A successful membership attack is an <em>inference</em> about a "
    "person (that their record was used, which can itself be sensitive, e.g. in a patient registry), and "
    "the records it flags confidently are <em>singled out</em>."
)


def attack_paragraph(attack: AttackResult, result: AuditResult) -> str:
    """One paragraph: what the attacker had and did, with the paper and the number of queries."""
    params: dict[str, Any] = {**attack.params, **attack.derived}
    had, did = ATTACKS.get(attack.attack, (
        "query access as allowed by the threat model",
        f"It applies the method of the paper below with the settings {params or 'shown in the appendix'}.",
    ))
    try:
        had = had.format(**params)
    except (KeyError, IndexError):
        had = had.split("{")[0].rstrip(" (,")
    threat = THREAT_MODELS.get(attack.threat_model, attack.threat_model)
    if attack.attack in LABEL_ONLY and attack.threat_model != "labels":
        threat = f"{THREAT_MODELS['labels']} (the audit allowed scores; this attack uses the labels alone)"
    return (
        f"<b>Threat model:</b> {threat}. <b>The attacker had</b> {had}. <b>What it did:</b> {did} "
        f"{_cost(attack)} {baseline_sentence(attack)}"
        f"<b>Method:</b> {escape(attack.paper)}."
    )


def baseline_sentence(attack: AttackResult) -> str:
    """Whether the attack beats its baseline (label-only attacks: the gap attack), by the stated rule."""
    v = attack.versus_baseline
    if v is None:
        return ""
    d = v.auc_difference
    diff = f"AUC difference {d.value:+.3f}, 95 % interval {d.low:+.3f} to {d.high:+.3f}, paired DeLong"
    if v.verdict == "beats":
        return f"<b>It beats the baseline</b> {escape(v.baseline)} ({diff}). "
    how = "does worse than" if v.verdict == "worse" else "is not distinguishable from"
    return (f"<b>It does not beat the baseline</b> {escape(v.baseline)}: it {how} it ({diff}; an attack beats "
            "its baseline only when this interval lies above 0), so its extra queries add no evidence here. ")


def _cost(attack: AttackResult) -> str:
    took = "under 0.01 s" if attack.runtime_s < 0.01 else fmt.seconds(attack.runtime_s)
    if attack.queries == 0:
        return f"It reused the model outputs already collected for the audit (no new queries) and took {took}."
    return f"It sent {attack.queries:,} queries to the model and took {took}."


def audited_sentence(result: AuditResult, model: str) -> str:
    """What was audited, in one sentence."""
    d = result.data
    return (
        f"The model <b>{escape(model)}</b>, trained on the dataset <b>{escape(d.name)}</b>, was audited with "
        f"{d.n_candidates:,} candidate records, of which {d.n_members:,} were secretly in its training data "
        f"and {d.n_candidates - d.n_members:,} were not."
    )
