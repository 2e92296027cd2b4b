"""The notebook face ``leakpro.audit_llm`` on a real tiny ``transformers`` model held in memory, and the JSON Schema
of ``llm_results.json``: the committed schema matches the result models and a real output validates against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import leakpro
from leakpro.config.errors import ConfigError
from leakpro.config.llm import LMRecipe
from leakpro.results.schema import LLM_SCHEMA_FILE, committed_schema, generated_schema, validate_llm_results
from leakpro.training.causal_lm import train_causal_lm, train_tokenizer

WORDS = [
    "river",
    "stone",
    "cloud",
    "ember",
    "frost",
    "maple",
    "cedar",
    "harbor",
    "meadow",
    "lantern",
    "willow",
    "comet",
]
MEMBERS = [
    f"the {a} keeps the {b} near the {c}"
    for a, b, c in zip(WORDS, WORDS[3:] + WORDS[:3], WORDS[7:] + WORDS[:7], strict=True)
]
NON_MEMBERS = [
    f"a {a} found a {b} under the {c}"
    for a, b, c in zip(WORDS, WORDS[5:] + WORDS[:5], WORDS[2:] + WORDS[:2], strict=True)
]
POPULATION = [
    f"one {a} and one {b} by the {c}"
    for a, b, c in zip(WORDS, WORDS[1:] + WORDS[:1], WORDS[9:] + WORDS[:9], strict=True)
]
RECIPE = LMRecipe(n_embd=16, n_head=2, n_layer=1, max_tokens=24, epochs=15, batch_size=4, lr=1e-2)


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> leakpro.notebook.LLMAudit:
    tok = train_tokenizer(POPULATION + NON_MEMBERS, vocab_size=300)
    model = train_causal_lm(MEMBERS, tok, RECIPE, seed=0)
    return leakpro.audit_llm(
        model,
        tok,
        members=MEMBERS,
        non_members=NON_MEMBERS,
        population=POPULATION,
        reference_models=2,
        offline_models=3,
        recipe=RECIPE.model_copy(update={"epochs": 3}),
        name="<b>my model</b>",
        out=tmp_path_factory.mktemp("nb-llm"),
        progress=False,
    )


def test_committed_llm_schema_matches_the_models() -> None:
    assert committed_schema(LLM_SCHEMA_FILE) == generated_schema(LLM_SCHEMA_FILE), (
        "run: python -m leakpro.results.schema"
    )


def test_a_real_output_follows_the_schema(audit: leakpro.notebook.LLMAudit) -> None:
    data = json.loads((audit.directory / "llm_results.json").read_text())
    validate_llm_results(data)
    broken = {**data, "models": [{**data["models"][0], "role": "shadow"}]}
    with pytest.raises(jsonschema.ValidationError):
        validate_llm_results(broken)


def test_audit_llm_face(audit: leakpro.notebook.LLMAudit, tmp_path: Path) -> None:
    frame = audit.to_frame()
    assert list(frame["attack"]) == [
        "loss",
        "zlib",
        "min_k",
        "min_k_plus_plus",
        "reference",
        "lira",
        "rmia",
        "rmia_offline",
    ]
    loss = frame.set_index("attack").loc["loss"]
    assert loss["auc"] > 0.8 and loss["auc_low"] > 0.5  # the member texts were memorised
    html = audit._repr_html_()
    assert "&lt;b&gt;my model&lt;/b&gt;" in html and "<b>my model</b>" not in html
    assert set(audit.scores) == {"target"} and len(audit.scores["target"]) == len(MEMBERS) + len(NON_MEMBERS)
    again = leakpro.load_result(audit.save(tmp_path / "saved"))
    assert again.to_frame()["auc"].tolist() == frame["auc"].tolist()


def test_bad_arguments_are_all_reported() -> None:
    with pytest.raises(ConfigError) as err:
        leakpro.audit_llm(object(), members="one text", non_members=[], attacks=["loss", "min_kk"], progress=False)
    text = str(err.value)
    assert "members" in text and "non_members" in text and "min_kk" in text
