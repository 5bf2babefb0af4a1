"""The printed report: the print document made from Jupyter Book's single page, the tagged PDF/UA-1
WeasyPrint renders from it, and the checks (evalkit.checks.pdf) that find each defect a reader of a
PDF would meet. Small hand-made inputs run fast; the real PDFs of both editions and of a pilot's own
report are built once per session (slow)."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from lxml import html

from conftest import copy_project, run_evalkit
from evalkit.checks import pdf as pdfcheck
from evalkit.checks.expected import chapter_titles, expected_pdf, expected_pilot_pdf, project_names
from evalkit.editions import edition
from evalkit.i18n import catalogue, t
from evalkit.pipeline.print_html import FrontMatter, build_print_html
from evalkit.pipeline.print_pdf import build_pdf

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils missing (`make test` installs it)")

# A single page as Jupyter Book's singlehtml builder writes it: the root page's section holds its
# own sections and then, in one toctree wrapper per part, every other page after a marker span.
SINGLE_PAGE = """<!DOCTYPE html><html lang="fi"><head><title>x</title></head><body>
<nav class="bd-docs-nav">
<p aria-level="2" class="caption" role="heading"><span class="caption-text">Pilotit</span></p>
<p aria-level="2" class="caption" role="heading"><span class="caption-text">Liitteet</span></p>
</nav>
<main><article class="bd-article">
<section class="tex2jax_ignore mathjax_ignore" id="etusivu">
<h1>Etusivu<a class="headerlink" href="#etusivu" title="Link to this heading">#</a></h1>
<p>Johdanto.</p>
<section id="keskeiset"><h2>Keskeiset luvut<a class="headerlink" href="#keskeiset">#</a></h2>
<ul><li><p>Pilotteja oli <span class="pasted-text">8</span>.</p></li></ul></section>
<section id="rahoitus"><h2>Rahoitus</h2>
<p>Katso <a class="reference internal" href="#document-pilots/lappi"><span class="doc">Lappi</span></a> ja
<a class="reference internal" href="#fig-a"><span class="std std-numref">Kuvio 1</span></a>.</p>
<figure class="align-default" id="fig-a">
<a class="reference internal image-reference" href="_images/a.png">\
<img alt="Pylväskuvio: Lappi suurin" src="_images/a.png" style="width: 100%;"/></a>
<figcaption><p><span class="caption-number">Kuvio 1 </span><span class="caption-text">Rahoitus alueittain</span>
<a class="headerlink" href="#fig-a">#</a></p></figcaption></figure>
</section>
<div class="toctree-wrapper compound">
<span id="document-pilots/lappi"></span><section class="tex2jax_ignore mathjax_ignore" id="lappi">
<h2>Lappi<a class="headerlink" href="#lappi">#</a></h2>
<section id="asiakasvirta"><h3>Asiakasvirta</h3>
<div class="pst-scrollable-table-container"><table class="table" id="tbl-a">
<caption><span class="caption-number">Taulukko 1 </span><span class="caption-text">Asiakasvirta</span></caption>
<thead><tr><th class="head text-left">Vaihe</th><th class="head text-right">Lappi</th></tr></thead>
<tbody><tr><td class="text-left">Osallistujia</td><td class="text-right">70</td></tr>
<tr><td class="text-left">Seurattuja 3 kk:n kohdalla</td><td class="text-right">64</td></tr></tbody>
</table></div></section></section>
<span id="document-pilots/hame"></span><section id="hame"><h2>Häme</h2>
<section id="asiakasvirta"><h3>Asiakasvirta</h3><p>Luvut: \
<a class="reference download internal" href="_downloads/x/luvut.csv">luvut.csv</a></p></section>
</section>
</div>
<div class="toctree-wrapper compound">
<span id="document-national/provenance"></span><section id="tiedot"><h2>Koonnin tiedot</h2><p>Versio.</p></section>
</div>
</section>
</article></main></body></html>"""

SITE_HEADINGS = ((1, "Etusivu"), (2, "Keskeiset luvut"), (2, "Rahoitus"), (1, "Lappi"), (2, "Asiakasvirta"),
                 (1, "Häme"), (2, "Asiakasvirta"), (1, "Koonnin tiedot"))
CHAPTERS = ("Etusivu", "Lappi", "Häme", "Koonnin tiedot")


def front(**changes) -> FrontMatter:
    values = dict(lang="fi-FI", title="Testiraportti", subtitle="Aihe", publisher="Ministeriö", date="Koottu 1.2.2026",
                  edition="Suomenkielinen laitos", author="Tekijä", summary_heading="Tiivistelmä",
                  contents_heading="Sisällys", summary_sections=("Keskeiset luvut",), appendix_part="Liitteet",
                  synthetic_label="Synteettinen esimerkkiaineisto")
    return FrontMatter(**{**values, **changes})


def single_page(folder: Path) -> Path:
    """The single page at national/index.html of a site folder with _static and one image (printed
    at about 220 ppi, as the report's figures are)."""
    from PIL import Image

    (folder / "national").mkdir(parents=True)
    (folder / "_static").mkdir()
    (folder / "_images").mkdir()
    Image.new("RGB", (1500, 700), "#0072B2").save(folder / "_images" / "a.png", dpi=(300, 300))
    page = folder / "national" / "index.html"
    page.write_text(SINGLE_PAGE, encoding="utf-8")
    return page


def expected(**changes) -> pdfcheck.Expected:
    values = dict(lang="fi", title="Testiraportti", chapters=CHAPTERS, front=("Tiivistelmä", "Sisällys"),
                  headings=SITE_HEADINGS, images=1)
    return pdfcheck.Expected(**{**values, **changes})


# --- The print document ------------------------------------------------------------------------

def test_each_page_becomes_a_numbered_chapter_and_the_front_matter_comes_first(tmp_path):
    document = build_print_html(single_page(tmp_path), front())
    body = html.fromstring(document.html).find("body")
    assert [child.get("class").split()[0] for child in body] == ["cover", "summary", "contents", "chapter",
                                                                 "chapter", "chapter", "chapter"]
    chapters = body.xpath('./section[contains(@class, "chapter")]')
    # The root page's own sections stay in its chapter; the others' headings rise to h1.
    assert [" ".join(c.find("h1").text_content().split()) for c in chapters] == [
        "1 Etusivu", "2 Lappi", "3 Häme", "A Koonnin tiedot"]
    assert [h.text_content() for h in chapters[0].iter("h2")] == ["Rahoitus"]
    assert [h.text_content() for h in chapters[1].iter("h2")] == ["Asiakasvirta"]
    # The summary page holds the root page's "Keskeiset luvut" section, moved out of chapter 1.
    summary = body.xpath('./section[@class="summary"]')[0]
    assert [h.text_content() for h in summary.iter("h1", "h2")] == ["Tiivistelmä", "Keskeiset luvut"]
    # The contents: part captions and a link to every chapter (page numbers come from CSS).
    contents = body.xpath("./nav")[0]
    assert [p.text_content() for p in contents.xpath('.//p[@class="contents-part"]')] == ["Pilotit", "Liitteet"]
    assert [a.get("href") for a in contents.iter("a")] == ["#etusivu", "#lappi", "#hame", "#tiedot"]
    assert [c.label for c in document.chapters] == ["1", "2", "3", "A"]
    cover = body.xpath('./section[@class="cover"]')[0].text_content()
    assert "Testiraportti" in cover and "Koottu 1.2.2026" in cover and "Ministeriö" in cover
    assert "Synteettinen" not in cover   # no page carries the synthetic-data notice


def test_the_description_sheets_come_right_after_the_cover_each_in_its_language(tmp_path):
    page = single_page(tmp_path)
    sheets = "".join(
        f'<section id="sheet-{lang}"><h3>{name}</h3><table class="table" id="tbl-description-{lang}">'
        f'<caption><span class="caption-number">Taulukko 9{len(lang)} </span><span class="caption-text">{name}</span>'
        "</caption>"
        f"<thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>c</td><td>d</td></tr>"
        '<tr><td>pages</td><td><span class="evalkit-page-count">ei ilmoitettu</span></td></tr>'
        "</tbody></table></section>"
        for lang, name in (("fi", "Kuvailulehti"), ("sv", "Presentationsblad"), ("en", "Description sheet")))
    text = page.read_text(encoding="utf-8").replace(
        '<span id="document-national/provenance"></span>',
        '<span id="document-national/description"></span><section id="kuvailulehdet"><h2>Kuvailulehdet</h2>'
        f"<p>Johdanto.</p>{sheets}</section>"
        '<span id="document-national/provenance"></span>')
    page.write_text(text, encoding="utf-8")
    document = build_print_html(page, front())
    body = html.fromstring(document.html).find("body")
    assert [child.get("class").split()[-1] for child in body][:4] == ["cover", "front-page", "summary", "contents"]
    sheet_page = body[1]
    assert sheet_page.find("h1").text_content() == "Kuvailulehdet"
    assert [(s.get("lang"), s.find("h2").text_content()) for s in sheet_page.xpath("./section")] == [
        ("fi", "Kuvailulehti"), ("sv", "Presentationsblad"), ("en", "Description sheet")]
    # Not a chapter: no number, not in the contents; the appendix's chapters keep their letters.
    assert [c.label for c in document.chapters] == ["1", "2", "3", "A"]
    assert "Kuvailulehdet" not in body.xpath("./nav")[0].text_content()
    # The site's "not given" page count is emptied for the print stylesheet's count of the pages,
    # which is the page of the marker that ends the last section.
    counts = body.xpath('.//span[@class="evalkit-page-count"]')
    assert len(counts) == 3 and all(c.text_content() == "" for c in counts)
    assert body.xpath("./section")[-1][-1].get("id") == "evalkit-end"
    assert len(body.xpath('//*[@id="evalkit-end"]')) == 1
    # Unnumbered: the site's numbers (its appendix's last tables) would come before table 1 here.
    assert [c.text_content() for c in sheet_page.iter("caption")] == [
        "Kuvailulehti", "Presentationsblad", "Description sheet"]


def test_screen_only_parts_go_and_links_point_inside_the_pdf(tmp_path):
    document = build_print_html(single_page(tmp_path), front())
    page = html.fromstring(document.html)
    assert not page.xpath('//a[contains(@class, "headerlink")]')
    assert page.xpath("//img")[0].getparent().tag == "figure"           # no link to the image file
    assert not page.xpath('//a[contains(@href, "_downloads")]')          # a download is plain text
    assert "luvut.csv" in page.xpath('//section[@id="hame"]')[0].text_content()
    hrefs = [a.get("href") for a in page.iter("a")]
    assert "#lappi" in hrefs and "#document-pilots/lappi" not in hrefs
    ids = [e.get("id") for e in page.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) and "hame--asiakasvirta" in ids   # Häme's repeated id renamed
    assert [th.get("scope") for th in page.iter("th")] == ["col", "col"]
    assert page.xpath("//table")[0].getparent().get("class") == "table-block"
    assert document.link_descriptions["fig-a"] == "Kuvio 1 Rahoitus alueittain"
    assert document.link_descriptions["lappi"] == "2 Lappi"


def test_a_table_of_six_columns_two_of_running_text_gets_a_landscape_page(tmp_path):
    long = "Pitkä selitys, joka vie paljon tilaa ja rivittyy kapeassa sarakkeessa useammalle riville"
    row = "".join(f"<td>{long if i in (2, 3) else 'x'}</td>" for i in range(6))
    wide = f'<table id="tbl-wide"><thead><tr>{"<th>h</th>" * 6}</tr></thead><tbody><tr>{row}</tr></tbody></table>'
    narrow = wide.replace('id="tbl-wide"', 'id="tbl-narrow"').replace(long, "lyhyt", 1)
    page = single_page(tmp_path)
    page.write_text(SINGLE_PAGE.replace("<p>Versio.</p>", wide + narrow), encoding="utf-8")
    printed = html.fromstring(build_print_html(page, front()).html)
    assert "wide-table" in printed.xpath('//table[@id="tbl-wide"]')[0].getparent().get("class")
    assert "wide-table" not in printed.xpath('//table[@id="tbl-narrow"]')[0].getparent().get("class")
    # Short body cells never wrap.
    assert "nowrap" in printed.xpath('//table[@id="tbl-narrow"]//td')[0].get("class")
    # Alone in a short section, the wide table takes its section (heading, text) to the landscape page.
    page.write_text(SINGLE_PAGE.replace("<p>Versio.</p>", "<p>Versio.</p>" + wide), encoding="utf-8")
    printed = html.fromstring(build_print_html(page, front()).html)
    assert "wide-table" in printed.xpath('//section[@id="tiedot"]')[0].get("class")
    assert "wide-table" not in printed.xpath('//table[@id="tbl-wide"]')[0].getparent().get("class")


# --- The rendered PDF and the checks ----------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("print")
    target = folder / "report.pdf"
    build_pdf(single_page(folder / "site"), target, front())
    return target


def structure_problems(pdf: Path, **changes) -> list[str]:
    with pikepdf.open(pdf) as document:
        return [f"{p.message} [{p.check}]" for p in pdfcheck.check_structure(document, expected(**changes), "r.pdf")]


def mutated(rendered: Path, tmp_path: Path, change) -> Path:
    """A copy of the rendered PDF with ``change(pdf)`` applied."""
    target = tmp_path / "changed.pdf"
    with pikepdf.open(rendered) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def elements(pdf: pikepdf.Pdf, tag: str) -> list:
    from evalkit.checks.pdf_structure import structure_tree

    return [e.obj for e in structure_tree(pdf).walk() if e.tag == tag]


def test_the_rendered_pdf_is_tagged_pdf_ua_and_passes_every_structure_check(rendered):
    assert structure_problems(rendered) == []
    with pikepdf.open(rendered) as pdf:
        # Read back by a second route: the objects themselves.
        assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "fi-FI"
        assert str(pdf.open_metadata()["pdfuaid:part"]) == "1"
        assert [str(f.Alt) for f in elements(pdf, "Figure")] == ["Pylväskuvio: Lappi suurin"]
        assert {str(th.A.Scope) for th in elements(pdf, "TH")} == {"/Column"}
        links = {str(a.Dest): str(a.Contents) for page in pdf.pages for a in page.obj.get("/Annots", [])}
        assert links["fig-a"] == "Kuvio 1 Rahoitus alueittain"
        assert str(pdf.Root.PageMode) == "/UseOutlines"
        # The running header and the page number are pagination artifacts (PDF 32000-1, 14.8.2.2).
        marked = [operands for operands, operator in pikepdf.parse_content_stream(pdf.pages[3])
                  if str(operator) == "BDC" and operands[0] == pikepdf.Name.Artifact]
        artifacts = [str(o[1].get("/Subtype")) for o in marked
                     if isinstance(o[1], pikepdf.Dictionary) and o[1].get("/Type") == "/Pagination"]
        assert artifacts == ["/Header", "/Header", "/Footer"]


@needs_poppler
def test_the_rendered_pdf_passes_the_text_image_and_page_edge_checks(rendered):
    assert pdfcheck.check_pdf(rendered, expected(required_texts={"a pilot": "Lappi"})) == []


@pytest.mark.parametrize("change, message", [
    (lambda pdf: elements(pdf, "Figure")[0].__delitem__("/Alt"),
     "1 of 1 figures have no alternative text (/Alt) [pdf-figures]"),
    (lambda pdf: setattr(elements(pdf, "H2")[0], "S", pikepdf.Name.H3),
     "heading H3 ('Keskeiset luvut') follows H1: a level is skipped [pdf-headings]"),
    (lambda pdf: pdf.Root.__delitem__("/Lang"), "PDF language (/Lang) is None, expected 'fi' [pdf-metadata]"),
    (lambda pdf: setattr(pdf.Root.ViewerPreferences, "DisplayDocTitle", False),
     "the viewer is not told to show the title (DisplayDocTitle) [pdf-metadata]"),
    (lambda pdf: setattr(pdf.Root.MarkInfo, "Marked", False),
     "the PDF is not marked as tagged (/MarkInfo /Marked) [pdf-tags]"),
    (lambda pdf: [(th.A.__delitem__("/Scope"), th.__delitem__("/ID")) for th in elements(pdf, "TH")],
     "table 1: 2 header cell(s) have neither a /Scope nor a data cell pointing at them (/Headers) [pdf-tables]"),
    (lambda pdf: setattr(elements(pdf, "TR")[0], "S", pikepdf.Name.P), "table 1 has rows that are not TR [pdf-tables]"),
    (lambda pdf: setattr(elements(pdf, "LBody")[0], "S", pikepdf.Name.P),
     "a list element LI holds P [pdf-lists]"),
    (lambda pdf: pdf.Root.__delitem__("/Outlines"),
     "the top-level bookmarks are not the chapters (missing: Etusivu, Lappi, Häme, Koonnin tiedot) [pdf-bookmarks]"),
    (lambda pdf: [a.__delitem__("/Contents") for a in pdf.pages[3].obj.Annots],
     "a link has no description (/Contents) [pdf-links]"),
])
def test_each_structure_defect_is_found(rendered, tmp_path, change, message):
    problems = structure_problems(mutated(rendered, tmp_path, change))
    assert message in problems, problems


def test_a_heading_that_differs_from_the_site_is_found(rendered, tmp_path):
    problems = structure_problems(rendered, headings=SITE_HEADINGS[:-1] + ((1, "Koonnin tila"),))
    assert problems == ["the site's heading h1 'Koonnin tila' is not a tagged H1 in the PDF (1×) [pdf-headings]",
                        "tagged H1 'A Koonnin tiedot' is not a heading of the site (1×) [pdf-headings]"]
    assert structure_problems(rendered, images=2) == ["1 tagged figures, but the site shows 2 images [pdf-figures]"]


def test_xmp_without_the_pdf_ua_identifier_is_found(rendered, tmp_path):
    def drop(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            del xmp["pdfuaid:part"]
    assert "XMP does not declare PDF/UA-1 (pdfuaid:part is None) [pdf-metadata]" in structure_problems(
        mutated(rendered, tmp_path, drop))


def test_content_outside_marked_content_is_found(rendered, tmp_path):
    """The page-margin artifacts unwrapped: the page number is then neither tagged nor an artifact."""
    def unwrap_artifacts(pdf):
        page = pdf.pages[3]
        kept, depth = [], []
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and operands[0] == pikepdf.Name.Artifact:
                depth.append(True)
                continue
            if str(operator) in ("BDC", "BMC"):
                depth.append(False)
            elif str(operator) == "EMC" and depth.pop():
                continue
            kept.append(pikepdf.ContentStreamInstruction(operands, operator))
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
    problems = structure_problems(mutated(rendered, tmp_path, unwrap_artifacts))
    assert any(p.endswith("are neither tagged nor marked as artifacts [pdf-content]") for p in problems), problems


@needs_poppler
def test_a_bare_pdf_fails_every_check_it_should(tmp_path):
    pdf = hand_made_pdf(tmp_path / "bare.pdf")
    problems = pdfcheck.check_pdf(pdf, pdfcheck.Expected(lang="fi", title="Otsikko", chapters=("Lappi", "Häme"),
                                                         required_texts={"project": "Työelämädiili"}))
    found = {(p.check, p.message) for p in problems}
    for message in ("no Title in the PDF metadata", "no Author in the PDF metadata", "no Subject in the PDF metadata",
                    "PDF language (/Lang) is None, expected 'fi'", "no XMP metadata",
                    "the viewer is not told to show the title (DisplayDocTitle)"):
        assert ("pdf-metadata", message) in found
    assert ("pdf-tags", "no structure tree (/StructTreeRoot): the PDF is not tagged") in found
    assert ("pdf-fonts", "font Helvetica (Type1) is not embedded") in found
    assert ("pdf-fonts", "font Helvetica (Type1) has no /ToUnicode map") in found
    assert ("pdf-text", "chapter title 'Häme' is not in the text") in found
    assert ("pdf-text", "project 'Työelämädiili' is not in the text") in found
    assert not any("'Lappi'" in p.message and p.check == "pdf-text" for p in problems)
    overflow = [p for p in problems if p.check == "pdf-overflow"]
    # pdftotext keeps only what lies on the page: the word is cut at the paper's edge.
    assert [p.where for p in overflow] == ["bare.pdf page 1"]
    assert overflow[0].message.startswith("text runs off the page (a table or line too wide): overflo")


def hand_made_pdf(path: Path) -> Path:
    """A one-page A4 PDF written byte by byte: no metadata, no /Lang, no tags, a non-embedded base-14
    font (Helvetica), one word inside the page and one running off its right edge (x = 560 pt of 595)."""
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
def test_a_missing_pdf_is_one_problem(tmp_path):
    assert [p.check for p in pdfcheck.check_pdf(tmp_path / "none.pdf", expected())] == ["pdf"]


# --- The real PDFs of both editions (built once per session in a scratch copy) -----------------

def _pdf(project: Path, lang: str) -> Path:
    return edition(project, lang).pdf


def _poppler(tool: str, *args: str) -> str:
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_both_pdfs_pass_every_check(built_editions, lang):
    wanted = expected_pdf(built_editions, lang)
    assert wanted.headings and wanted.images   # read from the built site, so the comparison has teeth
    assert [str(p) for p in pdfcheck.check_pdf(_pdf(built_editions, lang), wanted)] == []


@pytest.mark.slow
@pytest.mark.parametrize("lang, language_tag", [("fi", "fi-FI"), ("sv", "sv-FI"), ("en", "en-GB")])
def test_pdf_metadata_as_pdfinfo_shows_it(built_editions, lang, language_tag):
    # Read with pdfinfo directly (not through evalkit.checks) and compared with the catalogue.
    info = dict(line.split(":", 1) for line in _poppler("pdfinfo", str(_pdf(built_editions, lang))).splitlines()
                if ":" in line)
    info = {k.strip(): v.strip() for k, v in info.items()}
    from evalkit.programme import programme_at
    assert info["Title"] == programme_at(built_editions).title(lang)
    assert info["Author"] == catalogue(lang)["book.author"]
    assert info["Subject"] == " ".join(catalogue(lang)["publication.pdf_subject"].split())
    assert info["Tagged"] == "yes"
    with pikepdf.open(_pdf(built_editions, lang)) as pdf:
        assert str(pdf.Root.Lang) == language_tag


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_font_embedded_and_every_chapter_bookmarked(built_editions, lang):
    pdf = _pdf(built_editions, lang)
    rows = _poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "pdffonts lists no fonts"
    # Columns from the right: ... emb sub uni objnum gen.
    assert all(row.split()[-5] == "yes" and row.split()[-3] == "yes" for row in rows), rows
    assert all("DejaVu" in row for row in rows), rows    # one family for text and figures
    with pikepdf.open(pdf) as document, document.open_outline() as outline:
        top = [" ".join(str(item.title).split()) for item in outline.root]
    titles = [title for page, title in chapter_titles(built_editions, lang).items() if page != "national/description"]
    assert len(titles) >= 9   # the national page and eight pilot pages at least
    # The description sheets come right after the cover, then the summary and the contents.
    assert top[:3] == [t("description.heading", lang), t("publication.summary", lang), t("publication.contents", lang)]
    assert [mark.split(" ", 1)[1] for mark in top[3:]] == titles


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_description_sheet_gives_the_pdfs_own_page_count(built_editions, lang):
    # Second route: pdfinfo's count of the pages, against the number each sheet prints after its label.
    import re

    pdf = str(_pdf(built_editions, lang))
    info = dict(line.split(":", 1) for line in _poppler("pdfinfo", pdf).splitlines() if ":" in line)
    pages = int(info["Pages"])
    text = _poppler("pdftotext", "-layout", "-l", "8", pdf, "-")
    for sheet in ("fi", "sv", "en"):
        label = re.escape(t("description.field.pages", sheet))
        assert re.findall(rf"^\s*{label}\s+(\S+)\s*$", text, flags=re.MULTILINE) == [str(pages)], sheet


@pytest.mark.slow
def test_every_project_name_in_both_pdfs(built_editions):
    for lang in ("fi", "sv", "en"):
        text = _poppler("pdftotext", str(_pdf(built_editions, lang)), "-")
        for pilot, name in project_names(built_editions).items():
            assert pdfcheck.contains(text, name), (lang, pilot, name)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_pilots_own_report_is_a_tagged_pdf_too(tmp_path_factory, lang):
    base = tmp_path_factory.mktemp(f"pilot-pdf-{lang}")
    project = copy_project(base / "project")
    rows = (project / "data" / "demo" / "participants.csv").read_text(encoding="utf-8").splitlines()
    own = base / "lappi.csv"
    own.write_text("\n".join([rows[0], *(r for r in rows[1:] if ",lappi," in r)]) + "\n", encoding="utf-8")
    out = base / "report"
    result = run_evalkit(project, "pilot", "lappi", "--data", str(own), "--as-of", "2023-12-31", "--out", str(out),
                         "--lang", lang)
    assert result.returncode == 0, result.stderr[-3000:]
    from evalkit.programme import programme_at

    pilot = programme_at(project).by_id("lappi")   # the region's name in the report's language
    title = t("pilot.report.title", lang, heading=f"{pilot.name_in(lang)}: {pilot.project_in(lang)}")
    wanted = expected_pilot_pdf(out, lang, title)
    assert wanted.chapters and wanted.images
    assert [str(p) for p in pdfcheck.check_pdf(out / "report.pdf", wanted)] == []
    # What it was built from, as the national PDF says it: the extract's whole digest in the metadata.
    digest = hashlib.sha256(own.read_bytes()).hexdigest()
    assert f"lappi.csv sha256 {digest}" in _poppler("pdfinfo", str(out / "report.pdf"))
    if shutil.which("chromium"):
        # Its pages as `evalkit check --report` sees them: files, and Chromium with axe-core.
        from evalkit.checks import failures
        from evalkit.commands.check import check_report

        assert [str(p) for p in failures(check_report(out))] == []
