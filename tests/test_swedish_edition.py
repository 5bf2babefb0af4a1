"""The Swedish edition of the session's build (conftest.built_editions): in Swedish, with the same
numbers as the Finnish edition, table by table and cell by cell, and linked to both other editions."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evalkit.checks.site import site_pages
from evalkit.editions import edition

# A number as the fi_FI and sv_FI formats write it (no-break space or narrow no-break space
# between thousands, decimal comma, U+2212 or ASCII minus), a suppressed count, or a dash.
NUMBER = re.compile(r"[−-]?\d+(?:[\u00a0\u202f ]\d{3})*(?:,\d+)?|<\d|(?<!\w)–(?!\w)")


class Tables(HTMLParser):
    """Every table of a page: a list of rows, each a list of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.depth = 0
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
            self.tables.append([])
        elif tag == "tr" and self.depth:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.depth:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth -= 1
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(page: Path) -> list[list[list[str]]]:
    parser = Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tables


def numbers(cell: str) -> list[str]:
    return NUMBER.findall(cell)


def content_pages(site: Path) -> list[Path]:
    # The build's own pages (status, provenance) hold timings and digests that differ per build.
    skip = {"index.html", "search.html", "genindex.html", "national/build_status.html", "national/provenance.html"}
    return [page for page in site_pages(site) if str(page.relative_to(site)) not in skip]


def test_numbers_pick_out_what_a_table_cell_shows():
    assert numbers("12\u00a0345 henkilöä (95 %:n väli 10,2–15,3 %)") == ["12\u00a0345", "95", "10,2", "15,3"]
    assert numbers("<5") == ["<5"] and numbers("–") == ["–"] and numbers("−0,4") == ["−0,4"]
    assert numbers("Etelä-Pohjanmaa") == []


@pytest.mark.slow
def by_numbers(table):
    """The table's rows in the order of the numbers they hold (language-independent)."""
    return sorted(table, key=lambda row: [numbers(cell) for cell in row])


def test_every_table_of_the_swedish_edition_has_the_finnish_editions_numbers_cell_by_cell(built_editions):
    fi, sv = edition(built_editions, "fi"), edition(built_editions, "sv")
    pages = content_pages(fi.html_dir)
    assert len(pages) >= 14   # eight pilots and six national chapters
    compared = 0
    for page in pages:
        name = page.relative_to(fi.html_dir)
        fi_tables, sv_tables = tables(page), tables(sv.html_dir / name)
        assert len(sv_tables) == len(fi_tables), name
        for number, (fi_table, sv_table) in enumerate(zip(fi_tables, sv_tables, strict=True), start=1):
            assert len(sv_table) == len(fi_table), (name, number)
            # A chapter may list pilots by name, and the names differ (Lappi, Lappland): rows are
            # matched by their numbers, then compared cell by cell.
            fi_table, sv_table = by_numbers(fi_table), by_numbers(sv_table)
            for row, (fi_row, sv_row) in enumerate(zip(fi_table, sv_table, strict=True)):
                assert len(sv_row) == len(fi_row), (name, number, row)
                for fi_cell, sv_cell in zip(fi_row, sv_row, strict=True):
                    assert numbers(sv_cell) == numbers(fi_cell), (name, number, row, fi_cell, sv_cell)
                    compared += bool(numbers(fi_cell))
    assert compared > 500   # the comparison looked at real numbers, not at empty tables


@pytest.mark.slow
def test_the_swedish_edition_is_in_swedish_and_links_to_both_other_editions(built_editions):
    sv = edition(built_editions, "sv")
    front = (sv.html_dir / "national" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv"' in front
    assert "TE-servicepiloterna 2021–2022: nationell sammanfattning" in front
    assert "partiellt arbetsföra" in front
    links = dict(re.findall(r'class="evalkit-edition-link" href="([^"]+)" hreflang="(\w+)"', front))
    assert sorted(links.values()) == ["en", "fi"]
    assert (sv.pdf.name, sv.html_dir.name) == ("report-sv.pdf", "html-sv")
    assert sv.pdf.read_bytes().startswith(b"%PDF")
    # The theme's own controls speak the edition's language too (locales/<lang>/theme.po).
    # Sphinx's own Finnish catalogue says "<" and ">" for "previous" and "next"
    # (book/_templates/components/prev-next.html).
    for lang, words in (("sv", ("Hoppa till huvudinnehållet", "På den här sidan", "Länk till den här rubriken",
                                '"prev-next-subtitle">nästa<', '"prev-next-subtitle">föregående<')),
                        ("fi", ("Siirry pääsisältöön", "Tällä sivulla", "Linkki tähän otsikkoon",
                                '"prev-next-subtitle">seuraava<', '"prev-next-subtitle">edellinen<'))):
        page = (edition(built_editions, lang).html_dir / "pilots" / "lappi.html").read_text(encoding="utf-8")
        assert all(word in page for word in words), lang
        english = ("Skip to main content", "On this page", "Link to this heading", "Back to top", "Search this book",
                   'aria-label="Page"')
        assert not [word for word in english if word in page], lang
