"""Where each audit's files live: ``DATA_DIR/audits/<id>/`` with ``inputs/``, ``config.yaml``, ``out/`` and the
reference-model cache. Nothing is served by a user-given path: downloads are a fixed list of names inside the
audit's own directory, so one audit can never reach another's files.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

AUDIT_ID = re.compile(r"^[0-9a-f]{32}$")

# Download name -> (path inside the audit directory, media type).
DOWNLOADS: dict[str, tuple[str, str]] = {
    "results.json": ("out/results.json", "application/json"),
    "synthetic_results.json": ("out/synthetic_results.json", "application/json"),
    "llm_results.json": ("out/llm_results.json", "application/json"),
    "report.html": ("out/report.html", "text/html; charset=utf-8"),
    "report.pdf": ("out/report.pdf", "application/pdf"),
    "config.yaml": ("config.yaml", "application/x-yaml"),
}


@dataclass(frozen=True)
class AuditDir:
    """The directory of one audit."""

    root: Path

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def results(self) -> Path:
        return self.out / "results.json"

    @property
    def synthetic_results(self) -> Path:
        return self.out / "synthetic_results.json"

    @property
    def llm_results(self) -> Path:
        return self.out / "llm_results.json"

    def download(self, name: str) -> Path | None:
        """The file behind a download name, if the name is known, the file exists and lies inside this audit."""
        entry = DOWNLOADS.get(name)
        if entry is None:
            return None
        path = (self.root / entry[0]).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            return None
        return path

    def available(self) -> list[str]:
        return [name for name in DOWNLOADS if self.download(name) is not None]


class Storage:
    """All audit directories under ``data_dir/audits``."""

    def __init__(self, data_dir: Path) -> None:
        self.base = (Path(data_dir) / "audits").resolve()
        self.base.mkdir(parents=True, exist_ok=True)

    def audit(self, audit_id: str) -> AuditDir:
        """The directory of ``audit_id``; the id must be 32 hex digits (never a path)."""
        if not AUDIT_ID.fullmatch(audit_id):
            raise ValueError(f"not an audit id: {audit_id!r}")
        root = self.base / audit_id
        if root.parent != self.base:
            raise ValueError(f"not an audit id: {audit_id!r}")
        return AuditDir(root)

    def create(self, audit_id: str) -> AuditDir:
        d = self.audit(audit_id)
        d.inputs.mkdir(parents=True, exist_ok=False)
        return d

    def remove(self, audit_id: str) -> None:
        shutil.rmtree(self.audit(audit_id).root, ignore_errors=True)
