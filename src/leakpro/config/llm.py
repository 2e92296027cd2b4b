"""The ``llm:`` config section: a language-model membership audit, parsed and validated up front.

Every problem is reported at once (:func:`parse_llm_config` raises :class:`~leakpro.config.errors.ConfigError`
listing each field, what was received and the fix): an unknown key, a misspelt attack, a missing file, a model
directory without safetensors weights or one whose config asks for remote code.

.. code-block:: yaml

    seed: 0
    llm:
      target: {path: models/target}            # a transformers directory (config.json, *.safetensors, tokenizer)
      null_target: {path: models/null}         # optional: the same model trained without the candidates
      texts: {file: candidates.csv, text_column: text, member_column: member}
      population: {file: public.csv, text_column: text}   # texts the attacker knows are not members
      attacks: all                             # or a list: [loss, zlib, min_k, min_k_plus_plus, reference, lira, rmia,
                                               #                 rmia_offline]
      reference: {models: 4, offline_models: 4}  # reference LMs on random halves of the candidates / population
    executor: {kind: process, workers: 2}      # where reference LMs train: local | process | ray
      canaries: {prefix: "my secret code is", digits: 6,
                 inserted: [{secret: "4 1 7 9 2 6", repetitions: 8}, {secret: "0 3 3 8 5 1", repetitions: 0}]}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.issues import schema_issues
from leakpro.config.schema import ExecutorSpec

LLM_ATTACKS = ("loss", "zlib", "min_k", "min_k_plus_plus", "reference", "lira", "rmia", "rmia_offline")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LMRecipe(_Strict):
    """How LeakPro trains a small GPT-style model (the embedded target, its null, reference LMs)."""

    n_layer: int = Field(default=2, ge=1, le=12)
    n_head: int = Field(default=4, ge=1, le=16)
    n_embd: int = Field(default=128, ge=16, le=1024)
    max_tokens: int = Field(default=96, ge=8, le=1024, description="texts are cut to this many tokens")
    epochs: int = Field(default=20, ge=1, le=500)
    batch_size: int = Field(default=32, ge=1, le=1024)
    lr: float = Field(default=2e-3, gt=0, le=1.0)
    weight_decay: float = Field(default=0.0, ge=0)


class ModelDir(_Strict):
    """A causal LM saved with ``save_pretrained`` (safetensors weights and a tokenizer); never remote code."""

    path: Path


class TextsSpec(_Strict):
    file: Path
    text_column: str = "text"
    member_column: str | None = "member"


class ReferenceSpec(_Strict):
    models: int = Field(default=4, ge=0, le=64,
                        description="reference LMs trained on random halves of the candidates (LiRA, RMIA)")
    offline_models: int = Field(default=4, ge=0, le=64, description="reference LMs trained on random halves of the "
                                "population only (offline RMIA; 3 or more tune its a)")
    recipe: LMRecipe = LMRecipe()
    path: Path | None = Field(default=None, description="a reference LM directory to use instead of training one")


class InsertedCanary(_Strict):
    secret: str
    repetitions: int = Field(ge=0, description="times the canary was put into the training data (0: a control)")
    prefix: str | None = Field(default=None, description="this canary's prefix (default: canaries.prefix)")


class CanarySpec(_Strict):
    prefix: str = Field(min_length=1, description="text before each secret, e.g. 'my secret code is'")
    digits: int = Field(default=6, ge=2, le=12)
    inserted: list[InsertedCanary] = Field(min_length=1)
    samples: int = Field(default=1000, ge=100, le=200_000,
                         description="random secrets per canary whose perplexities fit its rank")


class BlindSpec(_Strict):
    folds: int = Field(default=5, ge=2, le=20)
    max_ngram: int = Field(default=2, ge=1, le=4)
    permutations: int = Field(default=20, ge=0, le=200, description="label permutations that centre the CV AUC")


class LLMConfig(_Strict):
    target: ModelDir
    null_target: ModelDir | None = None
    texts: TextsSpec
    population: TextsSpec | None = None
    attacks: Literal["all"] | list[str] = "all"
    min_k: float = Field(default=0.2, gt=0, le=1, description="fraction of lowest tokens for Min-K% and Min-K%++")
    reference: ReferenceSpec = ReferenceSpec()
    blind_baseline: BlindSpec = BlindSpec()
    canaries: CanarySpec | None = None
    batch_size: int = Field(default=32, ge=1, le=4096)

    @field_validator("attacks")
    @classmethod
    def _known(cls, value: Literal["all"] | list[str]) -> Literal["all"] | list[str]:
        if value != "all":
            unknown = [a for a in value if a not in LLM_ATTACKS]
            if unknown:
                raise ValueError(f"unknown attack(s) {unknown}; known: {list(LLM_ATTACKS)}")
        return value

    def attack_names(self) -> tuple[str, ...]:
        return LLM_ATTACKS if self.attacks == "all" else tuple(self.attacks)


class LLMAuditConfig(_Strict):
    name: str = "llm-audit"
    seed: int = 0
    llm: LLMConfig
    executor: ExecutorSpec = Field(default_factory=lambda: ExecutorSpec(workers=None, address=None, batched=True))


def model_dir_problems(path: Path, field: str) -> list[ConfigIssue]:
    """What is wrong with a model directory, without loading it: missing, no safetensors, pickles, remote code."""
    if not path.is_dir():
        return [ConfigIssue(field, "not a directory", "give the folder that save_pretrained wrote", str(path))]
    issues = []
    if not (path / "config.json").is_file():
        issues.append(ConfigIssue(field, "no config.json in the model directory",
                                  "save the model with model.save_pretrained(DIR)", str(path)))
    else:
        try:
            cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            cfg = {}
            issues.append(ConfigIssue(field, f"config.json is not readable JSON ({exc})", "re-save the model"))
        if isinstance(cfg, dict) and "auto_map" in cfg:
            issues.append(ConfigIssue(field, "config.json asks for remote code (auto_map); LeakPro never runs code "
                                      "from a model directory", "save a model of a class transformers ships"))
    if not any(path.glob("*.safetensors")):
        pickles = [p.name for p in path.glob("*.bin")] + [p.name for p in path.glob("*.pt")]
        issues.append(ConfigIssue(field, "no *.safetensors weights" + (f" (found pickles {pickles}, which LeakPro "
                                  "does not unpickle)" if pickles else ""),
                                  "save with model.save_pretrained(DIR, safe_serialization=True)", str(path)))
    if not (path / "tokenizer.json").is_file():
        issues.append(ConfigIssue(field, "no tokenizer.json (a fast tokenizer) in the model directory",
                                  "save the tokenizer beside the model: tokenizer.save_pretrained(DIR)", str(path)))
    return issues


def _texts_problems(spec: TextsSpec, field: str, need_members: bool) -> list[ConfigIssue]:
    if not spec.file.is_file():
        return [ConfigIssue(f"{field}.file", "file not found", "give a CSV or JSON-lines file", str(spec.file))]
    if spec.file.suffix.lower() not in (".csv", ".jsonl", ".json"):
        return [ConfigIssue(f"{field}.file", "unknown format", "use .csv or .jsonl", spec.file.suffix)]
    if need_members and not spec.member_column:
        return [ConfigIssue(f"{field}.member_column", "the candidates need a member column (the secret)",
                            "name the true/false column that says which texts were trained on")]
    return []


def _resolve(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative paths in the ``llm`` section are relative to the config file's folder."""
    llm = raw.get("llm")
    if not isinstance(llm, dict):
        return raw
    llm = dict(llm)
    for key in ("target", "null_target", "texts", "population"):
        item = llm.get(key)
        if isinstance(item, dict):
            item = dict(item)
            for sub in ("path", "file"):
                if isinstance(item.get(sub), str):
                    item[sub] = str(base / item[sub])
            llm[key] = item
    ref = llm.get("reference")
    if isinstance(ref, dict) and isinstance(ref.get("path"), str):
        llm["reference"] = {**ref, "path": str(base / ref["path"])}
    return {**raw, "llm": llm}


def parse_llm_config(raw: dict[str, Any], base: Path = Path(".")) -> LLMAuditConfig:
    """Validate the whole config (schema, then files and model directories); every problem at once."""
    try:
        config = LLMAuditConfig.model_validate(_resolve(raw, base))
    except ValidationError as exc:
        raise ConfigError(schema_issues(exc, LLMAuditConfig)) from None
    llm = config.llm
    issues = model_dir_problems(llm.target.path, "llm.target.path")
    if llm.null_target is not None:
        issues += model_dir_problems(llm.null_target.path, "llm.null_target.path")
    if llm.reference.path is not None:
        issues += model_dir_problems(llm.reference.path, "llm.reference.path")
    issues += _texts_problems(llm.texts, "llm.texts", need_members=True)
    if llm.population is not None:
        issues += _texts_problems(llm.population, "llm.population", need_members=False)
    elif {"reference", "lira", "rmia"} & set(llm.attack_names()) and llm.reference.path is None:
        issues.append(ConfigIssue("llm.population", "the reference, lira and rmia attacks train reference LMs on texts "
                                  "the attacker knows, and none were given", "add population: {file: ...}, give "
                                  "reference.path, or leave reference, lira and rmia out of attacks"))
    if llm.population is None and llm.attacks != "all" and "rmia_offline" in llm.attacks:
        issues.append(ConfigIssue("llm.population", "rmia_offline trains reference LMs on population texts only, "
                                  "and none were given", "add population: {file: ...}, or leave rmia_offline out"))
    if llm.canaries is not None:
        for i, c in enumerate(llm.canaries.inserted):
            digits = c.secret.replace(" ", "")
            if not digits.isdigit() or len(digits) != llm.canaries.digits:
                issues.append(ConfigIssue(f"llm.canaries.inserted[{i}].secret", f"expected {llm.canaries.digits} "
                                          "digits", "write the secret as digits, e.g. '4 1 7 9 2 6'", c.secret))
    if issues:
        raise ConfigError(issues)
    return config
