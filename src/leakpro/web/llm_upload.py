"""The language-model wizard's own model: a .zip of a ``save_pretrained`` directory and the candidate texts.

Form fields: ``model_archive`` (.zip, unpacked by :func:`~leakpro.web.model_zip.extract_model_zip` into
``inputs/model/``), ``members_file`` and ``non_members_file`` (the texts the model was and was not trained on: .txt
with one text per line, or .csv with a ``text`` column), and optionally ``population_file`` (texts the attacker
knows were not trained on: they train the reference LMs, which the reference, LiRA and RMIA attacks need). The
fields become an ``llm:`` config validated by :func:`~leakpro.config.llm.parse_llm_config`, the CLI's own checks;
every problem comes back at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from starlette.datastructures import FormData, UploadFile

from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.llm import parse_llm_config
from leakpro.web.model_zip import extract_model_zip
from leakpro.web.models import AuditFile
from leakpro.web.storage import AuditDir
from leakpro.web.uploads import UploadError, save_upload

UNPACKED_FACTOR = 4  # the unpacked model may be this many times the upload limit (safetensors barely compress)
MAX_TEXTS = 20_000
REFERENCE_FREE = ["loss", "zlib", "min_k", "min_k_plus_plus"]
FIELDS = {
    "model_archive": "model_archive",
    "members_file": "members",
    "non_members_file": "non_members",
    "population_file": "population",
}


def read_text_file(field: str, path: Path) -> tuple[list[str], list[ConfigIssue]]:
    """Texts of a .txt (one per non-empty line) or .csv (a ``text`` column) upload."""
    try:
        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            if "text" not in frame.columns:
                return [], [
                    ConfigIssue(
                        field,
                        "no 'text' column",
                        "name the column of texts 'text'",
                        ", ".join(map(str, frame.columns))[:120],
                    )
                ]
            texts = [t for t in frame["text"].tolist() if t.strip()]
        else:
            texts = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        return [], [
            ConfigIssue(
                field,
                f"the file cannot be read as UTF-8 text ({type(exc).__name__})",
                "save it as UTF-8, one text per line (or a CSV with a 'text' column)",
            )
        ]
    if len(texts) < 2:
        return [], [ConfigIssue(field, "fewer than 2 texts", "give at least 2 texts, one per line", str(len(texts)))]
    if len(texts) > MAX_TEXTS:
        return [], [
            ConfigIssue(field, f"more than {MAX_TEXTS:,} texts", "audit a sample of the texts", f"{len(texts):,}")
        ]
    return texts, []


async def save_llm_uploads(form: FormData, d: AuditDir, max_bytes: int) -> tuple[list[AuditFile], list[ConfigIssue]]:
    """Save every given file (population is optional); every refused file is listed."""
    files, issues = [], []
    for field, role in FIELDS.items():
        upload = form.get(field)
        if not isinstance(upload, UploadFile) or not upload.filename:
            if field != "population_file":
                issues.append(ConfigIssue(field, "no file was chosen", "choose the file to upload"))
            continue
        try:
            files.append(await save_upload(upload, field, role, d.inputs, max_bytes))
        except UploadError as exc:
            issues.append(exc.issue)
    return files, issues


def build_llm_config(
    name: str, seed: int, d: AuditDir, files: list[AuditFile], max_bytes: int
) -> tuple[dict[str, Any], list[ConfigIssue]]:
    """Unpack the model, write the candidates (and population) tables, and validate the config they make."""
    stored = {f.role: d.inputs / f.stored_name for f in files}
    issues = extract_model_zip(
        "model_archive", stored["model_archive"], d.inputs / "model", UNPACKED_FACTOR * max_bytes
    )
    stored["model_archive"].unlink(missing_ok=True)
    members, problems = read_text_file("members_file", stored["members"])
    issues += problems
    non_members, problems = read_text_file("non_members_file", stored["non_members"])
    issues += problems
    population: list[str] = []
    if "population" in stored:
        population, problems = read_text_file("population_file", stored["population"])
        issues += problems
    if issues:
        return {}, issues
    frame = pd.DataFrame({"text": members + non_members, "member": [True] * len(members) + [False] * len(non_members)})
    frame.to_csv(d.inputs / "candidates.csv", index=False)
    llm: dict[str, Any] = {
        "target": {"path": "inputs/model"},
        "texts": {"file": "inputs/candidates.csv"},
        "attacks": "all" if population else REFERENCE_FREE,
    }
    if population:
        pd.DataFrame({"text": population}).to_csv(d.inputs / "population.csv", index=False)
        llm["population"] = {"file": "inputs/population.csv", "member_column": None}
    config = {"name": name, "seed": seed, "llm": llm}
    try:
        parse_llm_config(config, d.root)
    except ConfigError as exc:
        return config, list(exc.issues)
    return config, []
