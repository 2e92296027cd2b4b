"""Hostile text in result files never becomes markup in ``report.html``; the report's CSP allows its own code only.

Every name a user chose (audit, dataset, target, attack, synthetic column, ...) reaches the report from its result
files, which may also come from someone else. Each field below carries a payload that would run a script if it
were inserted raw (in text and in attribute position); the report is rendered once and each field is checked:
its text is shown, and none of its tags or attributes exist in the parsed document.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from leakpro.metrics.summary import membership_metrics
from leakpro.report import ReportPaths, render_report
from leakpro.results.types import AttackResult, AuditResult, DataSummary, TargetResult


def payload(key: str) -> str:
    """Visible marker ``XSS[key]`` plus markup that runs a script in text, attribute and ``<title>`` position."""
    return (f"XSS[{key}]<img src=x onerror=alert(1) data-xss={key}>\"><svg onload=alert(1) data-xss={key}>"
            f"'><b data-xss={key} onmouseover=alert(1)>b</b></title><script data-xss={key}>alert(1)</script>")


@dataclass
class Parsed:
    """What a browser would build from a page: start tags with attributes, the text, and the inline scripts."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    scripts: list[tuple[dict[str, str | None], str]] = field(default_factory=list)  # (attributes, inline content)
    styles: list[str] = field(default_factory=list)

    def injected(self, key: str) -> list[str]:
        """Tags a payload with ``key`` managed to create."""
        return [f"<{t} {a}>" for t, a in self.tags if a.get("data-xss") == key]

    def handlers(self) -> list[str]:
        """Inline event handlers (``on...=``) and ``javascript:`` URLs anywhere in the page."""
        return [f"<{t} {a}>" for t, a in self.tags
                if any(k.startswith("on") or (v or "").strip().lower().startswith("javascript:") for k, v in a.items())]

    def shows(self, key: str) -> bool:
        marker = f"XSS[{key}]"
        return any(marker in t for t in self.text) or any(marker in (v or "") for _, a in self.tags
                                                          for v in a.values())


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.parsed.tags.append((tag, a))
        if tag == "script":
            self.parsed.scripts.append((a, ""))
        self._open = tag if tag in ("script", "style") else None

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            attrs, text = self.parsed.scripts[-1]
            self.parsed.scripts[-1] = (attrs, text + data)
        elif self._open == "style":
            self.parsed.styles.append(data)
        else:
            self.parsed.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parse(html: str) -> Parsed:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.parsed


def csp_hash(block: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode()


def _attack(rng: np.random.Generator, members: np.ndarray, attack_id: str, title: str,
            paper: str) -> tuple[AttackResult, np.ndarray]:
    s = rng.normal(0.0, 1.0, members.size) + 0.8 * members
    return AttackResult(id=attack_id, attack="loss", title=title, paper=paper, threat_model="scores", params={},
                        seed=0, runtime_s=0.1, queries=int(members.size), scores_column="scores",
                        **membership_metrics(s, members)), s


# Fields of the membership results and of synthetic_results.json that users (or a stranger's file) choose.
MEMBERSHIP_FIELDS = ("audit_name", "dataset_name", "target_name", "target_description", "attack_id", "attack_title",
                     "attack_paper", "note", "config_value")
SYNTHETIC_FIELDS = ("column", "variant", "finding", "size_key", "synthetic_note", "secrets_source")


def write_hostile_results(out: Path) -> None:
    """results.json + scores + synthetic_results.json with a payload in every user-chosen field."""
    rng = np.random.default_rng(0)
    members = np.zeros(200, dtype=bool)
    members[:100] = True
    p = {k: payload(k) for k in (*MEMBERSHIP_FIELDS, *SYNTHETIC_FIELDS)}
    attack, scores = _attack(rng, members, p["attack_id"], p["attack_title"], p["attack_paper"])
    (out / "scores").mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"record": np.arange(200), "member": members, "label": rng.integers(0, 2, 200),
                  "scores": scores}).to_csv(out / "scores" / "t.csv", index=False)
    target = TargetResult(name=p["target_name"], role="target", description=p["target_description"],
                          train_accuracy=0.9, test_accuracy=0.8, scores_file="scores/t.csv", attacks=[attack])
    result = AuditResult(
        leakpro_version="0.0-test", created="2026-01-02T03:04:05+00:00", seed=0,
        config={"name": p["audit_name"], "seed": 0, "data": {"table": p["config_value"]}}, config_hash="0" * 64,
        versions={"python": "3.11"},
        data=DataSummary(name=p["dataset_name"], n_records=200, n_candidates=200, n_members=100, n_population=0,
                         n_classes=2, member_prior=0.5),
        reference_models=None, targets=[target], stage_runtime_s={"attacks": 1.0}, notes=[p["note"]],
    )
    (out / "results.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    rates = {"ori": {"rate": 0.4, "successes": 40, "trials": 100}, "control": {"rate": 0.1, "successes": 10,
                                                                               "trials": 100}}
    synthetic: dict[str, Any] = {
        "attacks": [{"attack": "inference", "variant": p["variant"], "target": p["column"],
                     "risk": {"value": 0.3, "ci_low": 0.2, "ci_high": 0.4}, "findings": [p["finding"]], **rates},
                    {"attack": "singling_out", "target": p["column"],
                     "risk": {"value": 0.05, "ci_low": 0.0, "ci_high": 0.1}, **rates}],
        "sizes": {p["size_key"]: 100, "control": 50}, "notes": [p["synthetic_note"]],
        "secrets_source": p["secrets_source"], "seed": 0,
    }
    (out / "synthetic_results.json").write_text(json.dumps(synthetic), encoding="utf-8")


def write_hostile_report(out: Path) -> ReportPaths:
    """:func:`write_hostile_results` and the HTML report drawn from them (no PDF, no per-record figures)."""
    write_hostile_results(out)
    return render_report(out / "results.json", out, pdf=False, frame_provider=None)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("hostile-report")
    return write_hostile_report(out).html.read_text(encoding="utf-8")


@pytest.mark.parametrize("key", [*MEMBERSHIP_FIELDS, *SYNTHETIC_FIELDS])
def test_report_shows_hostile_field_as_text(report: str, key: str) -> None:
    page = parse(report)
    assert page.injected(key) == [], f"{key}: markup from the results file became part of the report"
    assert page.shows(key), f"{key}: the field is not in the report at all (the case would prove nothing)"


def test_report_has_no_event_handlers_and_one_script(report: str) -> None:
    page = parse(report)
    assert page.handlers() == []
    code = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    assert len(code) == 1 and "sortTable" in code[0]  # the report's own script, nothing injected


def _meta_csp(report: str) -> str:
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', report)
    assert found, "the report carries no CSP"
    return html.unescape(found.group(1))


def test_report_csp_allows_only_its_own_inline_blocks(report: str) -> None:
    csp = _meta_csp(report)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    directives = {d.split()[0]: " ".join(d.split()[1:]) for d in csp.split(";") if d.strip()}
    page = parse(report)
    code = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    assert directives["script-src"] == f"'{csp_hash(code[0])}'"  # the hash of the very script in the file
    assert len(page.styles) == 1 and directives["style-src"] == f"'{csp_hash(page.styles[0])}'"
    assert directives["default-src"] == "'none'" and directives["img-src"] == "data:"


def test_report_has_no_inline_style_attributes(report: str) -> None:
    """A style attribute would need 'unsafe-inline' (the CSP forbids it); the templates must not use any."""
    assert [t for t, a in parse(report).tags if "style" in a] == []
    from leakpro.report.render import TEMPLATES

    for path in TEMPLATES.glob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\sstyle=", text), path.name
        assert not re.search(r"\son[a-z]+=", text), path.name


def test_report_script_builds_no_selector_from_page_text() -> None:
    """An attack id may hold quotes and brackets: a selector built from it throws and stops every slider."""
    from leakpro.report.render import inline_blocks

    assert not re.search(r"querySelector(All)?\([^)]*\+", inline_blocks()[1])


# The filters behind the report's escaping, on payloads of their own.
FRAGMENTS = {
    "img onerror": ("<b>AUC</b> (<img src=x onerror=alert(1)>)", "<b>AUC</b> (&lt;img src=x onerror=alert(1)&gt;)"),
    "script": ("x <script>alert(1)</script> y", "x &lt;script&gt;alert(1)&lt;/script&gt; y"),
    "handler on an allowed tag": ("<span class='muted' onclick=alert(1)>m</span>", '<span class="muted">m</span>'),
    "javascript: link": ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    "in-page link kept": ('<a href="#appendix">the appendix</a>', '<a href="#appendix">the appendix</a>'),
    "unterminated tag": ("risk <img src=x onerror=alert(1)", "risk &lt;img src=x onerror=alert(1)"),
    "escaped text stays text": ("&lt;img src=x&gt; &amp; co", "&lt;img src=x&gt; &amp; co"),
    "comment": ("a<!-- <img src=x onerror=alert(1)> -->b", "a&lt;!-- &lt;img src=x onerror=alert(1)&gt; --&gt;b"),
    "svg": ("<svg><script>alert(1)</script></svg>", "&lt;svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/svg&gt;"),
}


@pytest.mark.parametrize("case", FRAGMENTS)
def test_fragment_filter(case: str) -> None:
    from leakpro.report.render import fragment

    given, expected = FRAGMENTS[case]
    assert str(fragment(given)) == expected


def test_slider_json_cannot_close_its_script_block() -> None:
    from leakpro.report.render import environment

    hostile = json.dumps({"id": "</script><script>alert(1)</script><!--"})
    page = environment().from_string('<script type="application/json">{{ x|script_json }}</script>').render(x=hostile)
    inner = page.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in inner and json.loads(inner) == json.loads(hostile)
