"""The PDF is laid out in the fonts shipped with the package, not in whatever fonts the machine has (issue 15)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

from leakpro.report import pdf as report_pdf
from leakpro.report import render_report

from .conftest import have

RENDER = ("import sys; from pathlib import Path; from leakpro.report import render_report; "
          "render_report(Path(sys.argv[1]), Path(sys.argv[2]), frame_provider=None)")


def _machine_with_only(tmp: Path, font_files: list[Path]) -> dict[str, str]:
    """An environment whose fontconfig knows only ``font_files`` (no system font directory at all)."""
    fonts = tmp / "fonts"
    fonts.mkdir(parents=True)
    for f in font_files:
        (fonts / f.name).write_bytes(f.read_bytes())
    conf = tmp / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{tmp / "cache"}</cachedir></fontconfig>
""", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _render(results_dir: Path, out: Path, env: dict[str, str] | None) -> tuple[str, str]:
    """Render in a fresh process with ``env`` (fontconfig reads its configuration once), or in this process with
    this machine's fonts when ``env`` is None; return (pdffonts, pdftotext -layout)."""
    if env is None:
        render_report(results_dir / "results.json", out, frame_provider=None)
    else:
        subprocess.run([sys.executable, "-c", RENDER, str(results_dir / "results.json"), str(out)], env=env,
                       check=True)
    fonts = subprocess.run(["pdffonts", str(out / "report.pdf")], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(out / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    return fonts, text


def _font_names(pdffonts: str) -> set[str]:
    return {line.split()[0].split("+")[-1] for line in pdffonts.splitlines()[2:] if line.strip()}


def test_layout_is_the_same_on_a_machine_without_dejavu(results_dir: Path, tmp_path: Path) -> None:
    """A machine whose only font is STIX lays the PDF out exactly as this one does, in the bundled fonts."""
    if not (have("pdffonts") and have("pdftotext")):
        pytest.skip("pdffonts/pdftotext (poppler-utils) are not installed; CI installs them")
    stix = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "STIXGeneral.ttf"
    here_fonts, here_text = _render(results_dir, tmp_path / "here", None)
    stix_fonts, stix_text = _render(results_dir, tmp_path / "stix", _machine_with_only(tmp_path / "m", [stix]))
    assert _font_names(here_fonts) == _font_names(stix_fonts) == {
        "LeakPro-Sans", "LeakPro-Sans-Bold", "LeakPro-Sans-Italic", "LeakPro-Mono"}, (here_fonts, stix_fonts)
    assert stix_text == here_text  # every line and page break in the same place
    assert stix_text.count("\f") > 3


def test_bundled_fonts_and_their_licence_ship_with_the_package() -> None:
    names = {name for _, name, _, _ in report_pdf.FONT_FACES}
    assert all((report_pdf.FONTS / n).stat().st_size > 100_000 for n in names)
    licence = (report_pdf.FONTS / "LICENSE_DEJAVU").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"report/fonts/*"' in pyproject  # package data: the wheel carries them


def test_a_bundled_font_that_does_not_load_stops_the_pdf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No silent fall-back to the machine's fonts: a broken @font-face is an error, not a different layout."""
    monkeypatch.setattr(report_pdf, "font_faces_css", lambda: '@font-face { font-family: "LeakPro Sans"; '
                        'src: url("data:font/ttf;base64,AAAA") format("truetype"); }')
    with pytest.raises(RuntimeError, match="bundled fonts could not be loaded"):
        report_pdf.write_pdf("<p style='font-family: \"LeakPro Sans\"'>x</p>", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
