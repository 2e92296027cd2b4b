"""Write tests/durations.json (each test file's measured seconds) from a pytest JUnit XML report.

    python -m pytest --junitxml=/tmp/junit.xml && python scripts/test_durations.py /tmp/junit.xml

xdist hands the longest files out first (tests/xdist_schedule.py); the figures only order the files, they check nothing.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path


def file_seconds(junit: Path) -> dict[str, float]:
    """Seconds per test file: a test's ``classname`` is its module path (``tests.web.test_jobs``), then any class."""
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(junit).getroot().iter("testcase"):
        parts = case.get("classname", "").split(".")
        module = next((i for i, part in enumerate(parts) if part.startswith("test_")), len(parts) - 1)
        seconds["/".join(parts[: module + 1]) + ".py"] += float(case.get("time", 0.0))
    return dict(seconds)


def main(junit: str) -> None:
    seconds = file_seconds(Path(junit))
    out = Path(__file__).resolve().parent.parent / "tests" / "durations.json"
    ordered = dict(sorted(((path, round(s, 1)) for path, s in seconds.items()), key=lambda kv: -kv[1]))
    out.write_text(json.dumps(ordered, indent=0) + "\n")
    print(f"{out}: {len(ordered)} files, {sum(ordered.values()):.0f} s in all")


if __name__ == "__main__":
    main(*sys.argv[1:])
