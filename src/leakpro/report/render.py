"""Assemble the report: page one from every section's summary, then the sections, then the appendix."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from leakpro.report import fmt
from leakpro.report.inputs import ReportInputs
from leakpro.report.risk import RiskLevel
from leakpro.report.sections import QUESTIONS, SectionContent, SummaryRow, registered_sections
from leakpro.report.text import GDPR_NOTE, LEVEL_MEANING
from leakpro.results.types import AuditResult

TEMPLATES = Path(__file__).parent / "templates"


# Tags (and their attributes) that sections may use in the HTML snippets they build in Python; see :func:`fragment`.
FRAGMENT_TAGS: dict[str, tuple[str, ...]] = {
    "b": (), "i": (), "em": (), "strong": (), "sup": (), "sub": (), "code": (), "p": (), "br": (),
    "span": ("class",), "a": ("href",),
}
_ATTRIBUTE_VALUES = {"class": re.compile(r"[A-Za-z0-9_ -]*"), "href": re.compile(r"#[A-Za-z0-9_.:-]*")}


class _Fragment(HTMLParser):
    """Re-emits the allowed tags (with allowed attributes only) and escapes everything else as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def _allowed(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> str | None:
        if tag not in FRAGMENT_TAGS:
            return None
        kept = "".join(f' {name}="{escape(value)}"' for name, value in attrs
                       if name in FRAGMENT_TAGS[tag] and value is not None
                       and _ATTRIBUTE_VALUES[name].fullmatch(value))
        return f"<{tag}{kept}{close}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._allowed(tag, attrs, "") or escape(self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._allowed(tag, attrs, " /") or escape(self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>" if tag in FRAGMENT_TAGS and tag != "br" else str(escape(f"</{tag}>")))

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data))

    def handle_comment(self, data: str) -> None:
        self.out.append(escape(f"<!--{data}-->"))

    def handle_decl(self, decl: str) -> None:
        self.out.append(escape(f"<!{decl}>"))

    def handle_pi(self, data: str) -> None:
        self.out.append(escape(f"<?{data}>"))

    def unknown_decl(self, data: str) -> None:
        self.out.append(escape(f"<![{data}]>"))


def fragment(html: object) -> Markup:
    """An HTML snippet built in Python (a summary row's evidence, an overview, a paragraph), made safe to insert.

    Sections build these with f-strings around names users chose (targets, datasets, synthetic columns); the
    builder should escape those names, and this filter makes sure a missed one is shown as text, never run:
    only the inline tags of :data:`FRAGMENT_TAGS` survive, with a ``class`` or an in-page ``href="#..."``,
    and every other tag, attribute, comment or stray ``<`` comes out escaped.

    >>> str(fragment("<b>AUC</b> (<img src=x onerror=alert(1)>)"))
    '<b>AUC</b> (&lt;img src=x onerror=alert(1)&gt;)'
    """
    parser = _Fragment()
    parser.feed(str(html))
    parser.close()
    return Markup("".join(parser.out))


def script_json(text: object) -> Markup:
    """JSON text made safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` survives raw
    (each is the same character as a JSON escape), so neither ``</script>`` nor ``<!--`` can end the block."""
    return Markup(str(text).replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


@functools.cache
def inline_blocks() -> tuple[str, str]:
    """The report's stylesheet and script exactly as inlined; the report's CSP allows these two blocks by hash."""
    css, js = (f"\n{(TEMPLATES / name).read_text(encoding='utf-8')}\n".replace("\r\n", "\n")
               for name in ("report.css", "report.js"))
    return css, js


def _sha256(block: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii") + "'"


def report_csp() -> str:
    """The report's Content-Security-Policy: its own inline stylesheet and script (by hash), ``data:`` images,
    nothing else: no inline event handlers, no other script, no request anywhere. The report carries it in a
    ``<meta>`` tag; the web app sends it as a header (adding what only a header can say: frame-ancestors,
    sandbox)."""
    css, js = inline_blocks()
    return (f"default-src 'none'; script-src {_sha256(js)}; style-src {_sha256(css)}; img-src data:; "
            "base-uri 'none'; form-action 'none'")


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja environment: templates of this package, autoescaping, the report's number filters, and the two
    filters for what is not plain text: :func:`fragment` (HTML snippets built in Python) and :func:`script_json`.
    Built once per process, so that its templates are compiled once (not again for every report); nothing
    changes it after this function."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template here is HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(fmt.FILTERS)
    env.filters["fragment"] = fragment
    env.filters["script_json"] = script_json
    env.globals["RiskLevel"] = RiskLevel
    return env


def _summary_rows(contents: list[SectionContent]) -> list[tuple[str, SummaryRow | None]]:
    """Page one's risk table: every question in order, answered or not, then any extra rows."""
    answered: dict[str, SummaryRow] = {}
    for row in (row for c in contents for row in c.summary):  # two sections on one question: the worse decides
        kept = answered.get(row.question)
        if kept is None or (row.assessment is not None and (
                kept.assessment is None or (row.assessment.level, row.assessment.high)
                > (kept.assessment.level, kept.assessment.high))):
            answered[row.question] = row
    rows: list[tuple[str, SummaryRow | None]] = [(text, answered.get(key)) for key, text in QUESTIONS.items()]
    rows += [(row.question, row) for key, row in answered.items() if key not in QUESTIONS]
    return rows


def worst_row(rows: list[tuple[str, SummaryRow | None]]) -> SummaryRow | None:
    """Page one's headline: the worst assessed question (highest level; ties by the top of its range, then the
    order of the questions), so a Low first question never hides a Very high one further down."""
    assessed = [row for _, row in rows if row is not None and row.assessment is not None]
    return max(assessed, key=lambda r: (r.assessment.level, r.assessment.high) if r.assessment else (0, 0),
               default=None)


@dataclass(frozen=True)
class Masthead:
    """The page frame's facts, from whichever result files are present."""

    title: str
    date: str  # "" when no result file records one
    version: str
    config_hash: str
    sources: str  # the result files read, for the colophon


def audit_title(result: AuditResult) -> str:
    """The report's title: the config's ``name``, or, while it is the default, the audited model and its data
    (e.g. "PyTorch MLP (12,866 parameters) on patients"): a title that says which audit this is."""
    from leakpro.config.schema import AuditConfig

    name = result.config.get("name")
    if isinstance(name, str) and name.strip() and name != AuditConfig.model_fields["name"].default:
        return name
    audited = next((t for t in result.targets if t.role == "target"), None)
    return f"{audited.description} on {result.data.name}" if audited is not None else result.data.name


def masthead(inputs: ReportInputs) -> Masthead:
    """Title, date, version and config hash: from results.json, else from the federated or synthetic results."""
    sources = ", ".join(inputs.sources)
    if inputs.result is not None:
        r = inputs.result
        return Masthead(audit_title(r), r.created[:10], r.leakpro_version, r.config_hash, sources)
    if inputs.federated is not None:
        f = inputs.federated
        return Masthead(f"Federated learning on {f.data} ({f.model})", "", f.versions.get("leakpro", ""),
                        f.config_hash, sources)
    if "synthetic" not in inputs.extras and "llm" in inputs.extras:
        llm = inputs.extras["llm"]
        return Masthead(f"Language model — {llm.get('name', '')}", "", str(llm.get("leakpro_version", "")),
                        str(llm.get("config_hash", "")), sources)
    if "synthetic" not in inputs.extras and ("inversion" in inputs.extras
                                             or "attribute_inference" in inputs.extras):
        return Masthead("Model inversion and attribute inference", "", "", "", sources)
    synthetic = inputs.extras.get("synthetic", {})
    versions = synthetic.get("versions")
    versions = versions if isinstance(versions, dict) else {}
    return Masthead("Synthetic data", "", str(versions.get("leakpro", "")), str(synthetic.get("config_hash", "")),
                    sources)


def _runs(result: AuditResult) -> list[dict[str, Any]]:
    """Attack runs by attack id: the seeds used and each target's run."""
    runs: dict[str, dict[str, Any]] = {}
    for target in result.targets:
        for attack in target.attacks:
            run = runs.setdefault(attack.id, {"id": attack.id, "seeds": [], "by_target": {}})
            if attack.seed not in run["seeds"]:
                run["seeds"].append(attack.seed)
            run["by_target"][target.name] = attack
    return list(runs.values())


@dataclass(frozen=True)
class PageOne:
    """Page one's parts: every applicable section's content, the risk table's rows and the headline row."""

    sections: list[SectionContent]
    rows: list[tuple[str, SummaryRow | None]]
    headline: SummaryRow | None


def page_one(inputs: ReportInputs, env: jinja2.Environment | None = None) -> PageOne:
    """The sections built from ``inputs`` and page one's risk table and headline (also for a notebook's view)."""
    env = env or environment()
    contents = [s.build(inputs, env) for s in registered_sections() if s.applies(inputs)]
    rows = _summary_rows(contents)
    return PageOne(contents, rows, worst_row(rows))


def render_html(inputs: ReportInputs) -> str:
    """The whole report as one self-contained HTML document."""
    env = environment()
    page = page_one(inputs, env)
    contents, rows, headline = page.sections, page.rows, page.headline
    result = inputs.result
    return env.get_template("report.html.j2").render(
        result=result,
        masthead=masthead(inputs),
        sections=contents,
        rows=rows,
        headline=headline,
        meaning=LEVEL_MEANING,
        gdpr_note=GDPR_NOTE,
        config_json=fmt.config_text(result.config) if result is not None else "",
        runs=_runs(result) if result is not None else [],
        css=inline_blocks()[0],
        js=inline_blocks()[1],
        csp=report_csp(),
    )
