"""The PDF's faster paths leave it as it was: what is cut is hidden in print, fonts come from the package only."""

from __future__ import annotations

import base64
import gc
from pathlib import Path

import pytest

from leakpro.report import pdf as report_pdf
from leakpro.report.render import inline_blocks


def test_print_html_cuts_scripts_and_screen_only_rows_and_nothing_else() -> None:
    html = ('<table><tbody><tr><td>shown &lt;/tr&gt;</td></tr>'
            '<tr class="screen-only"><td><span class="feat"><b>a</b> &lt;/tr&gt; x</span></td></tr>'
            '<tr><td>also shown</td></tr></tbody></table>'
            '<script type="application/json">{"x": "\\u003c/script\\u003e"}</script><p>after</p>'
            '<script>var s = 1;</script>')
    out = report_pdf.print_html(html)
    assert out == ('<table><tbody><tr><td>shown &lt;/tr&gt;</td></tr><tr><td>also shown</td></tr></tbody></table>'
                   '<p>after</p>')


def test_what_print_html_cuts_is_hidden_by_the_print_stylesheet() -> None:
    """Cutting these cannot change the PDF: print already lays none of them out."""
    css = inline_blocks()[0]
    print_rules = css[css.index("@media print"):]
    assert ".screen-only { display: none !important; }" in print_rules.replace(".no-print, ", "")


def test_the_fetcher_serves_bundled_fonts_and_refuses_other_urls(tmp_path: Path) -> None:
    assert report_pdf._bundled_font("leakpro-font:DejaVuSans.ttf") == (report_pdf.FONTS / "DejaVuSans.ttf").read_bytes()
    with pytest.raises(ValueError, match="not a bundled font"):
        report_pdf._bundled_font("leakpro-font:../../../etc/passwd")
    assert report_pdf._bundled_font("data:text/plain,x") is None
    from PIL import Image

    image = tmp_path / "image.png"
    Image.new("RGB", (2, 2), "white").save(image)
    inline = "data:image/png;base64," + base64.b64encode(image.read_bytes()).decode()
    report_pdf.write_pdf(f'<img src="{inline}">', tmp_path / "inline.pdf")  # the same image inline: fine
    with pytest.raises(BaseException, match="Error fetching"):  # WeasyPrint's fatal fetch error stops the PDF
        report_pdf.write_pdf(f'<img src="{image.as_uri()}">', tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_the_collector_runs_again_after_the_pdf(tmp_path: Path) -> None:
    assert gc.isenabled()
    report_pdf.write_pdf("<p>x</p>", tmp_path / "x.pdf")
    assert gc.isenabled() and (tmp_path / "x.pdf").stat().st_size > 0


def test_figures_are_opaque_rgb_pngs_of_the_stated_size() -> None:
    """RGB (PNG colour type 2): WeasyPrint embeds the data as it is instead of splitting off an alpha channel."""
    from leakpro.report.figures import DPI, roc_figure

    fig = roc_figure({"fpr": [0.0, 0.1, 1.0], "tpr": [0.0, 0.5, 1.0]}, None, non_members=100, title="t")
    png = base64.b64decode(fig.uri.removeprefix("data:image/png;base64,"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[25] == 2
    assert int.from_bytes(png[16:20], "big") == round(4.0 * DPI)  # roc_figure is 4.0 × 2.75 inches
    assert int.from_bytes(png[20:24], "big") in (412, 413)
