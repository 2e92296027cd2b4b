"""Uploads: data as CSV/Parquet/npz, models as safetensors/ONNX/skops, a language model as a .zip of its
``save_pretrained`` directory (unpacked by :mod:`leakpro.web.model_zip`) and texts as .txt/.csv; nothing else,
and never a pickle.

A file is stored under its audit's ``inputs/`` directory as ``<role><suffix>`` (``data.csv``, ``model.skops``),
so the user's file name never becomes a path; a name that tries to be one is refused all the same. Each file
is copied in chunks up to a size limit and its content is checked against its format before it is used:
npz arrays must load without pickles, safetensors must carry a well-formed JSON header, skops must be a skops
archive, and anything that starts like a pickle is refused whatever its name.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Protocol

import numpy as np

from leakpro.config.errors import ConfigIssue
from leakpro.web.models import AuditFile

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")
DATA_SUFFIXES = (*TABLE_SUFFIXES, ".npz")
MODEL_SUFFIXES = (".safetensors", ".onnx", ".skops")
ROLE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "data": DATA_SUFFIXES,
    "model": MODEL_SUFFIXES,
    "real": TABLE_SUFFIXES,
    "synthetic": TABLE_SUFFIXES,
    "control": TABLE_SUFFIXES,
    "model_archive": (".zip",),
    "members": (".txt", ".csv"),
    "non_members": (".txt", ".csv"),
    "population": (".txt", ".csv"),
}
CHUNK = 1 << 20
_PLAIN_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,255}$")


class UploadError(ValueError):
    """An upload refused: the form field, what is wrong, and the fix."""

    def __init__(self, field: str, problem: str, fix: str, received: str | None = None) -> None:
        self.issue = ConfigIssue(field, problem, fix, received)
        super().__init__(str(self.issue))


class Upload(Protocol):
    """What a multipart file field offers (starlette's ``UploadFile``)."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


def check_name(field: str, filename: str | None, role: str) -> str:
    """The file's suffix, after refusing names that are empty, carry a path, or have an unsupported format."""
    allowed = ROLE_SUFFIXES[role]
    if not filename:
        raise UploadError(field, "no file was chosen", f"choose a {'/'.join(allowed)} file")
    if not _PLAIN_NAME.fullmatch(filename) or filename in (".", "..") or ".." in Path(filename).parts:
        raise UploadError(field, "the file name contains a path or control characters",
                          "upload a file with a plain name such as data.csv", repr(filename[:80]))
    suffix = Path(filename).suffix.lower()
    if suffix not in allowed:
        hint = " Pickles and Python files are never accepted." if suffix in (".pkl", ".pickle", ".joblib",
                                                                             ".py", ".pt", ".pth") else ""
        raise UploadError(field, f"unsupported file type {suffix or '(none)'}",
                          f"upload one of {', '.join(allowed)}.{hint}", filename)
    return suffix


def looks_like_pickle(head: bytes) -> bool:
    """Protocol 2+ pickles start with 0x80 and the protocol number."""
    return len(head) >= 2 and head[0] == 0x80 and head[1] <= 5


async def save_upload(upload: Upload, field: str, role: str, dest_dir: Path, max_bytes: int) -> AuditFile:
    """Copy ``upload`` to ``dest_dir/<role><suffix>`` (at most ``max_bytes``), check its content, describe it."""
    suffix = check_name(field, upload.filename, role)
    dest = dest_dir / f"{role}{suffix}"
    digest, size = hashlib.sha256(), 0
    try:
        with dest.open("wb") as f:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError(field, f"the file is larger than the limit of {max_bytes / 2**20:.1f} MiB",
                                      "upload a smaller file, or start the server with a higher limit")
                digest.update(chunk)
                f.write(chunk)
        if size == 0:
            raise UploadError(field, "the file is empty", "upload the file again")
        check_content(field, dest, suffix)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return AuditFile(role=role, stored_name=dest.name, original_name=str(upload.filename)[:255], size=size,
                     sha256=digest.hexdigest())


def check_content(field: str, path: Path, suffix: str) -> None:
    """Refuse a file whose bytes do not match its format (and any pickle, whatever its name)."""
    with path.open("rb") as f:
        head = f.read(64 * 1024)
    if looks_like_pickle(head):
        raise UploadError(field, f"{path.suffix} file holds a Python pickle, which can run code when loaded",
                          "save weights with safetensors, sklearn models with skops.io.dump, data as CSV/Parquet")
    checks = {".csv": _check_csv, ".parquet": _check_parquet, ".pq": _check_parquet, ".npz": _check_npz,
              ".safetensors": _check_safetensors, ".skops": _check_skops, ".onnx": _check_onnx, ".txt": _check_csv,
              ".zip": _check_zip}
    checks[suffix](field, path, head)


def _check_csv(field: str, path: Path, head: bytes) -> None:
    if head.startswith((b"PK\x03\x04", b"PAR1")) or b"\x00" in head:
        raise UploadError(field, "this is not a text CSV file", "export the table as CSV (comma separated)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the end of the sample is fine
            raise UploadError(field, "the CSV is not UTF-8 text", "save it as UTF-8 CSV") from None


def _check_zip(field: str, path: Path, head: bytes) -> None:
    if not zipfile.is_zipfile(path):
        raise UploadError(field, "this is not a .zip archive", "zip the save_pretrained directory")


def _check_parquet(field: str, path: Path, head: bytes) -> None:
    with path.open("rb") as f:
        f.seek(-4, 2)
        tail = f.read(4)
    if not (head.startswith(b"PAR1") and tail == b"PAR1"):
        raise UploadError(field, "this is not a Parquet file", "export the table with pandas.DataFrame.to_parquet")


def _check_npz(field: str, path: Path, head: bytes) -> None:
    if not zipfile.is_zipfile(path):
        raise UploadError(field, "this is not an .npz archive", "save the arrays with numpy.savez")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            for key in arrays.files:
                arrays[key]
    except ValueError as exc:
        raise UploadError(field, f"the archive holds Python objects (pickled arrays): {exc}",
                          "save plain numeric or string arrays with numpy.savez") from None
    except Exception as exc:
        raise UploadError(field, f"the .npz archive cannot be read ({type(exc).__name__})",
                          "save the arrays with numpy.savez") from None


def _check_safetensors(field: str, path: Path, head: bytes) -> None:
    fix = "save the weights with safetensors.torch.save_file(model.state_dict(), path)"
    if head.startswith(b"PK\x03\x04"):
        raise UploadError(field, "this is a torch.save archive (a pickle inside), not safetensors", fix)
    if len(head) < 8:
        raise UploadError(field, "too short to be a safetensors file", fix)
    (n,) = struct.unpack("<Q", head[:8])
    size = path.stat().st_size
    if n <= 1 or n > min(size - 8, 100 * 2**20):
        raise UploadError(field, "this is not a safetensors file (bad header length)", fix)
    with path.open("rb") as f:
        f.seek(8)
        raw = f.read(n)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UploadError(field, "this is not a safetensors file (unreadable header)", fix) from None
    tensors = {k: v for k, v in header.items() if k != "__metadata__"} if isinstance(header, dict) else None
    if not tensors or not all(isinstance(v, dict) and {"dtype", "shape", "data_offsets"} <= set(v)
                              for v in tensors.values()):
        raise UploadError(field, "the safetensors header does not describe tensors", fix)


def _check_skops(field: str, path: Path, head: bytes) -> None:
    fix = "save the model with skops.io.dump(model, 'model.skops')"
    if not zipfile.is_zipfile(path):
        raise UploadError(field, "this is not a skops archive", fix)
    with zipfile.ZipFile(path) as z:
        if "schema.json" not in z.namelist():
            raise UploadError(field, "this zip archive is not a skops file (no schema.json)", fix)
    import skops.io as sio

    try:
        sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise UploadError(field, f"the skops file cannot be read ({type(exc).__name__})", fix) from None


def _check_onnx(field: str, path: Path, head: bytes) -> None:
    # An ONNX ModelProto is a protobuf whose first field is ir_version (field 1, varint: tag byte 0x08).
    if head.startswith(b"PK\x03\x04") or not head.startswith(b"\x08"):
        raise UploadError(field, "this is not an ONNX model file", "export with torch.onnx.export or skl2onnx")
