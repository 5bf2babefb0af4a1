"""The PDF as a printer and a PDF reader get it: metadata, embedded fonts, bookmarks, the text a
reader must find, print resolution, nothing off the page (poppler's tools; evalkit.checks.pdf)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from evalkit.checks import pdf as pdfcheck
from evalkit.checks.expected import built_edition, chapter_titles, project_names
from evalkit.i18n import catalogue

needs_poppler = pytest.mark.skipif(shutil.which("pdffonts") is None,
                                   reason="poppler-utils missing (`make test` installs it)")


def hand_made_pdf(path: Path) -> Path:
    """A one-page A4 PDF written byte by byte: no metadata, no /Lang, a non-embedded base-14 font
    (Helvetica), one word inside the page and one running off its right edge (x = 560 pt of 595)."""
    content = b"BT /F1 12 Tf 72 700 Td (Lappi) Tj ET\nBT /F1 12 Tf 560 600 Td (overflowing) Tj ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


@needs_poppler
def test_a_bare_pdf_fails_every_check_it_should(tmp_path):
    pdf = hand_made_pdf(tmp_path / "bare.pdf")
    problems = pdfcheck.check_pdf(pdf, "fi", "Otsikko", {"pilots/lappi": "Lappi", "pilots/hame": "Häme"},
                                  {"project": "Työelämädiili"})
    found = {(p.check, p.message) for p in problems}
    assert ("pdf-metadata", "no Title in the PDF metadata") in found
    assert ("pdf-metadata", "no Author in the PDF metadata") in found
    assert ("pdf-metadata", "no Subject in the PDF metadata") in found
    assert ("pdf-metadata", "PDF language (/Lang) is None, expected 'fi'") in found
    assert ("pdf-fonts", "font Helvetica (Type 1) is not embedded") in found
    assert ("pdf-text", "chapter title 'Häme' (pilots/hame) is not in the text") in found
    assert ("pdf-text", "project 'Työelämädiili' is not in the text") in found
    assert ("pdf-bookmarks", "no bookmark for chapter 'Lappi' (pilots/lappi)") in found
    overflow = [p for p in problems if p.check == "pdf-overflow"]
    # pdftotext keeps only what lies on the page: the word is cut at the paper's edge.
    assert [p.where for p in overflow] == ["bare.pdf page 1"]
    assert overflow[0].message.startswith("text runs off the page (a table or line too wide): overflo")
    # 'Lappi' is in the text, so only its bookmark is missing.
    assert not any("'Lappi'" in p.message and p.check == "pdf-text" for p in problems)


@needs_poppler
def test_a_missing_pdf_is_one_problem(tmp_path):
    assert [p.check for p in pdfcheck.check_pdf(tmp_path / "none.pdf", "fi", "x")] == ["pdf"]


# --- The real PDFs of both editions (built once per session in a scratch copy) -----------------

def _pdf(project: Path, lang: str) -> Path:
    return built_edition(project, lang).pdf


def _poppler(tool: str, *args: str) -> str:
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_both_pdfs_pass_every_check(built_editions, lang):
    problems = pdfcheck.check_pdf(
        _pdf(built_editions, lang), lang, catalogue(lang)["book.title"],
        chapter_titles(built_editions, lang),
        {f"project of {pilot}": name for pilot, name in project_names(built_editions).items()})
    assert [str(p) for p in problems] == []


@pytest.mark.slow
@pytest.mark.parametrize("lang, language_tag", [("fi", "fi-FI"), ("en", "en-GB")])
def test_pdf_metadata_as_pdfinfo_shows_it(built_editions, lang, language_tag):
    # Read with pdfinfo directly (not through evalkit.checks) and compared with the catalogue.
    info = dict(line.split(":", 1) for line in _poppler("pdfinfo", str(_pdf(built_editions, lang))).splitlines()
                if ":" in line)
    info = {k.strip(): v.strip() for k, v in info.items()}
    assert info["Title"] == catalogue(lang)["book.title"]
    assert info["Author"] == catalogue(lang)["book.author"]
    assert info["Subject"] == " ".join(catalogue(lang)["publication.pdf_subject"].split())
    assert pdfcheck.catalogue_language(_pdf(built_editions, lang)) == language_tag


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_font_embedded_and_every_chapter_bookmarked(built_editions, lang):
    pdf = _pdf(built_editions, lang)
    rows = _poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "pdffonts lists no fonts"
    # Column 'emb' is the third from the right-hand group: name type... emb sub uni objnum gen.
    assert all(row.split()[-5] == "yes" for row in rows), rows
    marks = pdfcheck.bookmarks(pdf)
    titles = chapter_titles(built_editions, lang)
    assert len(titles) >= 9   # the national page and eight pilot pages at least
    for title in titles.values():
        assert any(mark == title or mark.endswith(" " + title) for mark in marks), (title, marks)


@pytest.mark.slow
def test_every_project_name_in_both_pdfs(built_editions):
    for lang in ("fi", "en"):
        text = _poppler("pdftotext", str(_pdf(built_editions, lang)), "-")
        for pilot, name in project_names(built_editions).items():
            assert pdfcheck.contains(text, name), (lang, pilot, name)
