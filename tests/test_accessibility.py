"""The site checks (evalkit.checks.site), the PDF checks' parsing, the shared figure style and the
publication settings, on small hand-made inputs whose problems are known (fast; no build)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from evalkit.book_settings import apply_publication_settings, front_matter  # noqa: E402
from evalkit.checks import failures  # noqa: E402
from evalkit.checks import pdf as pdfcheck  # noqa: E402
from evalkit.checks.site import check_site  # noqa: E402
from evalkit.definitions import PILOT_IDS  # noqa: E402
from evalkit.i18n import catalogue  # noqa: E402
from evalkit.plots import style  # noqa: E402
from evalkit.sphinxext import root_redirect_page, write_root_redirect  # noqa: E402

GOOD_PAGE = """<!DOCTYPE html><html lang="{lang}"><head><title>x</title>
<link rel="stylesheet" href="../_static/site.css"></head><body>
<nav><a class="evalkit-edition-link" href="../../html-en/pilots/a.html" \
hreflang="en" lang="en">This page in English</a></nav>
<article class="bd-article">
<h1 id="top">Lappi</h1><h2 id="s1">Asiakasvirta</h2><h3>Osallistujat</h3><h2>Kustannukset</h2>
<table><thead><tr><th>Vaihe</th><th>Lappi</th></tr></thead><tbody><tr><td>a</td><td>1</td></tr></tbody></table>
<img src="../_images/fig.png" alt="Pylväskuvio: Lappi suurin">
<a href="b.html#s2">Pirkanmaan asiakasvirta</a>
<a class="headerlink" href="#s1" title="Linkki tähän otsikkoon">#</a>
</article></body></html>"""


def make_site(folder: Path, page: str, lang: str = "fi") -> Path:
    """A two-page site: pilots/a.html (``page``) and pilots/b.html (a good page with id s2)."""
    (folder / "pilots").mkdir(parents=True)
    (folder / "_static").mkdir()
    (folder / "_images").mkdir()
    (folder / "_static" / "site.css").write_text("", encoding="utf-8")
    (folder / "_images" / "fig.png").write_bytes(b"\x89PNG")
    (folder / "index.html").write_text(root_redirect_page(lang, "Lappi — Raportti", "pilots/a.html"))
    (folder / "pilots" / "a.html").write_text(page.replace("{lang}", lang), encoding="utf-8")
    (folder / "pilots" / "b.html").write_text(
        GOOD_PAGE.replace("{lang}", lang).replace("s1", "s2").replace("b.html#s2", "a.html#s1"),
        encoding="utf-8")
    return folder


def problems_of(tmp_path: Path, page: str) -> list[str]:
    build = tmp_path / "_build"
    site = make_site(build / "html", page)
    (build / "html-en" / "pilots").mkdir(parents=True)
    for name in ("a", "b"):
        (build / "html-en" / "pilots" / f"{name}.html").write_text("<html lang='en'></html>")
    return [f"{p.where} {p.message} [{p.check}]" for p in check_site(site, "fi", {"en": build / "html-en"})]


def test_a_good_site_has_no_problems(tmp_path):
    assert problems_of(tmp_path, GOOD_PAGE) == []


@pytest.mark.parametrize("change, expected", [
    (('lang="{lang}"', 'lang="en"'), 'pilots/a.html <html lang="en">, expected "fi" [language]'),
    (("<h3>Osallistujat</h3>", "<h4>Osallistujat</h4>"),
     "pilots/a.html heading h4 ('Osallistujat') follows h2: a level is skipped [headings]"),
    (('<h1 id="top">Lappi</h1>', '<h2 id="top">Lappi</h2>'),
     "pilots/a.html the first heading is h2 ('Lappi'), expected h1 [headings]"),
    (("<th>Vaihe</th><th>Lappi</th>", "<td>Vaihe</td><td>Lappi</td>"),
     "pilots/a.html table 1 has no header cells (<th>) [tables]"),
    (('alt="Pylväskuvio: Lappi suurin"', 'alt=""'), "pilots/a.html image ../_images/fig.png has no alt text [images]"),
    (('alt="Pylväskuvio: Lappi suurin"', ""), "pilots/a.html image ../_images/fig.png has no alt text [images]"),
    ((">Pirkanmaan asiakasvirta<", ">tästä<"), "pilots/a.html link to b.html#s2 says only 'tästä' [link-text]"),
    ((">Pirkanmaan asiakasvirta<", "><"), "pilots/a.html link to b.html#s2 has no text [link-text]"),
    (('title="Linkki tähän otsikkoon"', ""), "pilots/a.html link to #s1 says only '#' [link-text]"),
    (("b.html#s2", "c.html"), "pilots/a.html broken link or resource: c.html [links]"),
    (("b.html#s2", "b.html#nowhere"),
     "pilots/a.html link b.html#nowhere: no element with id 'nowhere' in b.html [links]"),
    (("../_images/fig.png", "../_images/gone.png"),
     "pilots/a.html broken link or resource: ../_images/gone.png [links]"),
    (("../_static/site.css", "../_static/gone.css"),
     "pilots/a.html broken link or resource: ../_static/gone.css [links]"),
    (('class="evalkit-edition-link" ', ""), "pilots/a.html no link to the en edition [edition-link]"),
    (('hreflang="en" lang="en"', 'hreflang="en"'),
     "pilots/a.html the link to the en edition does not state its language (lang) [edition-link]"),
    (("../../html-en/pilots/a.html", "../../html-en/pilots/zz.html"),
     "pilots/a.html broken link or resource: ../../html-en/pilots/zz.html [links]"),
])
def test_each_problem_is_found_and_named(tmp_path, change, expected):
    old, new = change
    assert old in GOOD_PAGE
    assert problems_of(tmp_path, GOOD_PAGE.replace(old, new)) == [expected]


def test_links_to_an_unbuilt_edition_are_a_note_not_a_failure(tmp_path):
    site = make_site(tmp_path / "_build" / "html", GOOD_PAGE)
    problems = check_site(site, "fi", {"en": tmp_path / "_build" / "html-en"})
    assert [p.check for p in problems] == ["edition-link"] and problems[0].note
    assert failures(problems) == []


def test_a_redirect_page_to_a_missing_page_is_a_problem(tmp_path):
    site = make_site(tmp_path / "_build" / "html", GOOD_PAGE)
    (site / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=pilots/none.html" />')
    messages = [p.message for p in check_site(site, "fi", {})]
    assert "redirects to a missing page: pilots/none.html" in messages


def test_a_bare_redirect_without_language_or_title_is_a_problem(tmp_path):
    # What sphinx-external-toc writes by itself: one meta line, no <html lang>, no <title>.
    site = make_site(tmp_path / "_build" / "html", GOOD_PAGE)
    (site / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=pilots/a.html" />')
    assert [f"{p.where} {p.message} [{p.check}]" for p in check_site(site, "fi", {})
            if p.where == "index.html"] == [
        'index.html <html lang="None">, expected "fi" (a forwarding page too) [language]',
        "index.html the forwarding page has no <title> [title]"]


def test_a_redirect_page_in_the_wrong_language_is_a_problem(tmp_path):
    site = make_site(tmp_path / "_build" / "html", GOOD_PAGE)
    (site / "index.html").write_text(root_redirect_page("en", "Lappi — Report", "pilots/a.html"))
    assert [p.check for p in check_site(site, "fi", {}) if p.where == "index.html"] == ["language"]


def _sphinx_app(outdir: Path, builder: str = "html", root: str = "national/index", language: str = "fi",
                page_title: str = "Kansallinen yhteenveto"):
    """What write_root_redirect reads of a Sphinx application."""
    from types import SimpleNamespace

    from docutils import nodes

    return SimpleNamespace(
        config=SimpleNamespace(root_doc=root, html_title="TE-palvelupilotit: raportti", project="x",
                               language=language),
        builder=SimpleNamespace(name=builder), outdir=str(outdir),
        env=SimpleNamespace(titles={root: nodes.title(text=page_title)}))


def test_the_root_page_forwards_to_the_front_page_with_language_and_title(tmp_path):
    site = make_site(tmp_path / "html", GOOD_PAGE)
    (site / "national").mkdir()
    (site / "national" / "index.html").write_text(GOOD_PAGE.replace("{lang}", "fi"), encoding="utf-8")
    (site / "index.html").unlink()
    write_root_redirect(_sphinx_app(site), None)
    text = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fi">' in text
    assert "<title>Kansallinen yhteenveto \u2014 TE-palvelupilotit: raportti</title>" in text
    assert '<meta http-equiv="refresh" content="0; url=national/index.html">' in text
    assert [p for p in check_site(site, "fi", {}) if p.where == "index.html"] == []


def test_a_front_page_titled_as_the_report_is_named_once(tmp_path):
    # A programme without a source report opens on its summary, whose heading is the report's title.
    write_root_redirect(_sphinx_app(tmp_path, page_title="TE-palvelupilotit: raportti"), None)
    assert "<title>TE-palvelupilotit: raportti</title>" in (tmp_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("builder, root", [("singlehtml", "national/index"), ("html", "index")])
def test_no_root_page_is_written_where_none_is_needed(tmp_path, builder, root):
    # singlehtml is one page already; a root document called index is index.html itself.
    write_root_redirect(_sphinx_app(tmp_path, builder, root), None)
    assert not (tmp_path / "index.html").exists()


def test_a_missing_site_is_reported(tmp_path):
    assert [p.check for p in check_site(tmp_path / "nothing", "fi")] == ["site"]


# --- PDF helpers -------------------------------------------------------------------------------

def test_text_search_allows_line_breaks_and_hyphenation():
    text = "Pohjois-Karjala: Osatyökykyisten palvelumalli asiakas- ja yritys-\npalveluihin\n9 638\u00a0000 €"
    assert pdfcheck.contains(text, "Osatyökykyisten palvelumalli asiakas- ja yrityspalveluihin")
    assert pdfcheck.contains(text, "9 638 000 €")
    assert not pdfcheck.contains(text, "Tuella työhön -pilotti")


def test_front_matter_comes_from_the_catalogue_and_the_programme():
    from evalkit.programme import programme_at

    for lang, tag, date in (("fi", "fi-FI", "Koottu 5.3.2026"), ("en", "en-GB", "Built 5 March 2026")):
        front = front_matter(lang, "2026-03-05T23:59:00Z")
        assert front.lang == tag
        assert front.title == programme_at(Path(__file__).resolve().parents[1]).title(lang)
        assert front.author == catalogue(lang)["book.author"]
        assert front.subtitle == " ".join(catalogue(lang)["publication.pdf_subject"].split())
        assert front.date == date   # the build's date as the language writes it (UTC)
        assert front.summary_heading == catalogue(lang)["publication.summary"]
        assert front.created == "2026-03-05T23:59:00Z"   # the PDF's CreationDate


ROOT_DIR = Path(__file__).resolve().parents[1]


def test_each_edition_links_to_the_others_each_in_its_own_language(tmp_path):
    def links(lang):
        config = apply_publication_settings({"sphinx": {"config": {}}}, tmp_path, lang)["sphinx"]["config"]
        return config["html_context"]["evalkit_editions"]

    def link(lang, folder):
        return {"lang": lang, "folder": folder, "text": catalogue(lang)["publication.edition_link"]}

    assert links("fi") == [link("sv", "html-sv"), link("en", "html-en")]
    assert links("sv") == [link("fi", "html"), link("en", "html-en")]
    assert links("en") == [link("fi", "html"), link("sv", "html-sv")]
    assert catalogue("sv")["publication.edition_link"] == "Den här sidan på svenska"
    # A programme folder without book sources of its own uses evalkit's; one with them, its own.
    fi = apply_publication_settings({"sphinx": {"config": {}}}, tmp_path, "fi")["sphinx"]["config"]
    assert Path(fi["templates_path"][0]) == ROOT_DIR / "book" / "_templates"
    (tmp_path / "book" / "templates").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("title: x\n", encoding="utf-8")
    own = apply_publication_settings({"sphinx": {"config": {}}}, tmp_path, "fi")["sphinx"]["config"]
    assert Path(own["templates_path"][0]) == tmp_path / "book" / "_templates"


def test_the_themes_buttons_are_labelled_in_the_pages_language(tmp_path):
    # The theme has no Finnish or Swedish texts of its own ("Color mode" on Finnish pages).
    for lang, search, mode in (("fi", "Etsi", "Väritila"), ("sv", "Sök", "Färgläge"), ("en", "Search", "Colour mode")):
        config = apply_publication_settings({"sphinx": {"config": {}}}, tmp_path, lang)["sphinx"]["config"]
        theme = config["html_context"]["evalkit_theme"]
        assert (theme["search"], theme["colour_mode"]) == (search, mode)
        assert theme["main_nav"] == catalogue(lang)["publication.theme.main_nav"] != ""
    templates = Path(__file__).resolve().parents[1] / "book" / "_templates"
    switcher = (templates / "theme-switcher.html").read_text(encoding="utf-8")
    field = (templates / "search-button-field.html").read_text(encoding="utf-8")
    assert 'aria-label="{{ evalkit_theme.colour_mode }}"' in switcher and " title=" not in switcher.split("-#}")[1]
    # The field's name is its visible text ("Etsi Ctrl+K"): no aria-label that says less.
    assert "aria-label" not in field.split("-#}")[1]


# --- The shared figure style -------------------------------------------------------------------

def test_okabe_ito_palette_has_eight_distinct_colours_and_marks():
    assert len(set(style.SERIES_COLOURS)) == 8
    assert set(style.SERIES_COLOURS) == set(style.OKABE_ITO.values())
    assert len(set(style.MARKERS)) == len(set(style.HATCHES)) == 8
    # Yellow (lowest contrast on white) is used last.
    assert style.SERIES_COLOURS[-1] == style.OKABE_ITO["yellow"]


def test_every_pilot_has_its_own_style_in_every_figure():
    styles = [style.pilot_style(p) for p in PILOT_IDS]
    assert len({(s.colour, s.marker, s.hatch) for s in styles}) == 8
    assert style.pilot_style("lappi") == style.pilot_style("lappi")
    with pytest.raises(KeyError):
        style.pilot_style("ahvenanmaa")


def test_colours_outside_the_palette_are_found():
    style.apply()
    fig, ax = plt.subplots()
    for i in range(3):
        ax.plot([0, 1], [i, i + 1])                              # palette colours from apply()
    ax.bar([0], [1], **style.series_style(4).bar_kwargs())
    ax.axvline(0.5, color=style.NEUTRAL)
    assert style.colours_outside_palette(fig) == []
    ax.plot([0, 1], [1, 0], color="#1f77b4")                     # matplotlib's own default blue
    ax.bar([1], [1], color="red")
    assert style.colours_outside_palette(fig) == ["#1f77b4", "#ff0000"]
    plt.close(fig)
