"""Rebuild ``src/leakpro/data/builtin/fortunes.jsonl.xz`` from Debian's ``fortunes`` package (fortune-mod 1.99.1).

Run once on a Debian machine with ``apt-get install fortunes``; the tests and the demo read the shipped file and
never need the package. Each fortune of the chosen files is whitespace-normalised and kept when it is ASCII and
40–200 characters long (short enough for a tiny language model), with the name of its file as ``source``.
"""

from __future__ import annotations

import json
import lzma
import re
from pathlib import Path

SOURCE = Path("/usr/share/games/fortunes")
FILES = ("computers", "definitions", "literature", "people", "science", "wisdom", "work", "art", "platitudes",
         "fortunes")
OUT = Path(__file__).resolve().parents[1] / "src" / "leakpro" / "data" / "builtin" / "fortunes.jsonl.xz"


def main() -> None:
    rows, seen = [], set()
    for name in FILES:
        for raw in (SOURCE / name).read_text(encoding="utf-8", errors="replace").split("\n%\n"):
            text = re.sub(r"\s+", " ", raw).strip()
            if 40 <= len(text) <= 200 and text.isascii() and text not in seen:
                seen.add(text)
                rows.append({"source": name, "text": text})
    payload = "".join(json.dumps(r, ensure_ascii=True) + "\n" for r in rows).encode()
    OUT.write_bytes(lzma.compress(payload, preset=9))
    print(f"{len(rows)} texts -> {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
