"""A language model uploaded as a .zip of a ``save_pretrained`` directory, treated as hostile.

Only plain files with allow-listed names are extracted (weights as safetensors, JSON configs, tokenizer files),
flat, into a fresh folder. Refused, and every problem listed at once (field, problem, fix): entries with absolute
paths, ``..`` parts, backslashes or control characters (zip-slip), symbolic links and other special entries,
pickled weights (``*.bin``, ``*.pt``, …), Python files, any other name off the allow-list, more than
``MAX_ENTRIES`` entries, and more than ``max_total`` bytes once unpacked (counted while reading, not taken from the
archive's own claims, so a zip bomb stops at the limit). After extraction the folder goes through the checks
:func:`~leakpro.targets.causal_lm.load_causal_lm` applies (:func:`~leakpro.config.llm.model_dir_problems`: a
config.json without ``auto_map``, safetensors weights, a fast tokenizer), a tokenizer config without ``auto_map``,
and each safetensors header is checked as the other model uploads are.

One folder level is allowed (zipping the directory itself stores ``mymodel/config.json``): a prefix shared by every
entry is dropped.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from leakpro.config.errors import ConfigIssue
from leakpro.config.llm import model_dir_problems
from leakpro.web.uploads import UploadError, check_content

MAX_ENTRIES = 64
ALLOWED_NAMES = frozenset(
    {
        "config.json",
        "generation_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "vocab.json",
        "merges.txt",
        "added_tokens.json",
        "model.safetensors.index.json",
        "chat_template.jinja",
    }
)
_SHARD = re.compile(r"^model(-\d{5}-of-\d{5})?\.safetensors$")
_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib", ".h5", ".msgpack", ".npy")
_CODE_SUFFIXES = (".py", ".pyc", ".so", ".sh")
_BAD_CHARS = re.compile(r"[\\\x00-\x1f:]")


def _entry_problem(field: str, info: zipfile.ZipInfo) -> ConfigIssue | None:
    """Why one entry is refused (before looking at its name's allow-list), or None."""
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return ConfigIssue(
            field, "the archive holds a symbolic link", "zip the model files themselves, not links", name[:120]
        )
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: no type recorded (many zip tools)
        return ConfigIssue(
            field, "the archive holds a special file (not a plain file)", "zip plain files only", name[:120]
        )
    parts = PurePosixPath(name).parts
    if name.startswith("/") or _BAD_CHARS.search(name) or ".." in parts or not parts:
        return ConfigIssue(
            field,
            "an entry's path is absolute, climbs out with '..', or holds '\\', ':' or control characters",
            "zip the save_pretrained directory with a plain zip tool",
            name[:120],
        )
    return None


def _name_problem(field: str, name: str) -> ConfigIssue | None:
    if name in ALLOWED_NAMES or _SHARD.fullmatch(name):
        return None
    lower = name.lower()
    if lower.endswith(_PICKLE_SUFFIXES):
        return ConfigIssue(
            field,
            "pickled weights are never loaded (a pickle can run code)",
            "save with model.save_pretrained(DIR, safe_serialization=True) and zip only the safetensors files",
            name[:120],
        )
    if lower.endswith(_CODE_SUFFIXES):
        return ConfigIssue(
            field,
            "the archive holds code; LeakPro never runs code from a model",
            "remove it: only a model of a class transformers ships can be audited",
            name[:120],
        )
    return ConfigIssue(
        field,
        "a file that is not part of a save_pretrained directory",
        f"remove it from the archive (allowed: {', '.join(sorted(ALLOWED_NAMES))}, model*.safetensors)",
        name[:120],
    )


def _plan(field: str, infos: list[zipfile.ZipInfo]) -> tuple[dict[str, zipfile.ZipInfo], list[ConfigIssue]]:
    """Which entries to extract under which flat name, and every problem with the rest."""
    issues: list[ConfigIssue] = []
    files = []
    for info in infos:
        problem = _entry_problem(field, info)
        if problem is not None:
            issues.append(problem)
        elif not info.is_dir():
            files.append(info)
    tops = {PurePosixPath(i.filename).parts[0] for i in files if len(PurePosixPath(i.filename).parts) > 1}
    prefix = tops.pop() if len(tops) == 1 and all(len(PurePosixPath(i.filename).parts) > 1 for i in files) else None
    chosen: dict[str, zipfile.ZipInfo] = {}
    for info in files:
        parts = PurePosixPath(info.filename).parts[1 if prefix else 0 :]
        if len(parts) != 1:
            issues.append(
                ConfigIssue(
                    field,
                    "a file in a sub-folder",
                    "zip the save_pretrained directory's files (one folder level at most)",
                    info.filename[:120],
                )
            )
            continue
        problem = _name_problem(field, parts[0])
        if problem is not None:
            issues.append(problem)
        elif parts[0] in chosen:
            issues.append(ConfigIssue(field, "a file name appears twice", "zip each file once", parts[0]))
        else:
            chosen[parts[0]] = info
    return chosen, issues


def _extract(
    field: str, zf: zipfile.ZipFile, chosen: dict[str, zipfile.ZipInfo], dest: Path, max_total: int
) -> list[ConfigIssue]:
    total = 0
    for name, info in chosen.items():
        with zf.open(info) as src, (dest / name).open("wb") as out:
            while chunk := src.read(1 << 20):
                total += len(chunk)
                if total > max_total:
                    return [
                        ConfigIssue(
                            field,
                            f"the model is larger than {max_total / 2**20:.0f} MiB unpacked",
                            "audit a smaller model here, or run `leakpro audit` with an llm: section",
                        )
                    ]
                out.write(chunk)
    return []


def _content_problems(field: str, dest: Path) -> list[ConfigIssue]:
    issues = [ConfigIssue(field, i.problem, i.fix) for i in model_dir_problems(dest, field)]  # no server paths
    tok_cfg = dest / "tokenizer_config.json"
    if tok_cfg.is_file():
        try:
            data = json.loads(tok_cfg.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
            issues.append(ConfigIssue(field, "tokenizer_config.json is not readable JSON", "re-save the tokenizer"))
        if isinstance(data, dict) and "auto_map" in data:
            issues.append(
                ConfigIssue(
                    field,
                    "tokenizer_config.json asks for remote code (auto_map); LeakPro never runs code from a model",
                    "save a tokenizer of a class transformers ships",
                )
            )
    for weights in sorted(dest.glob("*.safetensors")):
        try:
            check_content(field, weights, ".safetensors")
        except UploadError as exc:
            issues.append(ConfigIssue(field, f"{weights.name}: {exc.issue.problem}", exc.issue.fix))
    return issues


def extract_model_zip(field: str, archive: Path, dest: Path, max_total: int) -> list[ConfigIssue]:
    """Unpack ``archive`` into the new folder ``dest`` if it is a clean save_pretrained directory; else return
    every problem (and leave no ``dest`` behind)."""
    if not zipfile.is_zipfile(archive):
        return [ConfigIssue(field, "this is not a .zip archive", "zip the save_pretrained directory")]
    dest.mkdir(parents=True, exist_ok=False)
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                issues = [
                    ConfigIssue(
                        field,
                        f"the archive has {len(infos)} entries (at most {MAX_ENTRIES})",
                        "zip only the save_pretrained directory",
                    )
                ]
            else:
                chosen, issues = _plan(field, infos)
                claimed = sum(i.file_size for i in chosen.values())
                if claimed > max_total:
                    issues.append(
                        ConfigIssue(
                            field,
                            f"the model is larger than {max_total / 2**20:.0f} MiB unpacked",
                            "audit a smaller model here, or run `leakpro audit` with an llm: section",
                            f"{claimed / 2**20:.0f} MiB",
                        )
                    )
                if not issues:
                    issues = _extract(field, zf, chosen, dest, max_total)
        if not issues:
            issues = _content_problems(field, dest)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        issues = [ConfigIssue(field, f"the archive cannot be read ({type(exc).__name__})", "zip the directory again")]
    if issues:
        shutil.rmtree(dest, ignore_errors=True)
    return issues
