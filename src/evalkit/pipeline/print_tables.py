"""How a table of the printed report is laid out; print.css acts on the classes set here.

A table is kept on one page when it fits one, its header row scoped, short cells unwrapped, and a
table too wide for a portrait page gets a landscape one. The sizes are rough estimates from the
text; WeasyPrint does the real layout.
"""
from __future__ import annotations

import copy

from lxml import etree

SHORT_CELL = 18     # characters: a body cell this short is never wrapped ("✓ yhtäpitävä")
LONG_CELL = 50      # characters: a column holding such a cell is running text
SHORT_SECTION = 600  # characters of text besides its wide table: the section goes landscape too
# A rough height of a table in print.css (8.2 pt text): a line of about 40 characters in a cell,
# 3.8 mm a line and 2 mm of padding a row; and the height of a page's text block.
CELL_LINE_CHARACTERS = 40
PORTRAIT_TEXT_HEIGHT_MM = 240
LANDSCAPE_TEXT_HEIGHT_MM = 150


def text_of(element) -> str:
    """An element's text as a reader sees it: without the '#' link, whitespace collapsed."""
    clone = copy.deepcopy(element)
    for link in clone.xpath('.//a[contains(concat(" ", @class, " "), " headerlink ")]'):
        link.drop_tree()
    return " ".join("".join(clone.itertext()).split())


def lay_out_table(table) -> None:
    """Prepare one ``<table>`` of the print HTML for the page (in place; see the module text).

    Header cells get ``scope="col"``; the table is wrapped in a ``div.table-block`` (kept
    together), marked ``table-long`` when it is estimated longer than a page, and ``wide-table``
    (landscape) when it is too wide; body cells of at most ``SHORT_CELL`` characters get
    ``nowrap``.

    Parameters
    ----------
    table : lxml.etree.Element
        The table, inside its document.
    """
    for header in table.xpath("./thead//th"):
        header.set("scope", "col")
    # The caption is inside the table, but WeasyPrint may still break between the two; a block
    # around both is what "keep together" applies to.
    block = etree.Element("div", {"class": "table-block"})
    table.addprevious(block)
    block.append(table)
    wide = _is_wide(table)
    if wide:
        _landscape(block)
    if _height_mm(table) > (LANDSCAPE_TEXT_HEIGHT_MM if wide else PORTRAIT_TEXT_HEIGHT_MM):
        # Longer than a page: kept together it would only leave a page blank before it.
        block.set("class", block.get("class") + " table-long")
    for cell in table.xpath("./tbody/tr/td"):
        if len(text_of(cell)) <= SHORT_CELL:
            cell.set("class", ((cell.get("class") or "") + " nowrap").strip())


def _landscape(block) -> None:
    """Give a wide table a landscape page, and its section too when the table is nearly all there is to it.

    Nearly all: the section holds no other table or figure and at most ``SHORT_SECTION``
    characters of other text, so that no page is left with a heading and a paragraph.
    """
    section = next(block.iterancestors("section"), None)
    if section is not None and len(section.xpath(".//table | .//figure")) == 1:
        rest = (len(" ".join("".join(section.itertext()).split()))
                - len(" ".join("".join(block.itertext()).split())))
        if rest <= SHORT_SECTION:
            section.set("class", ((section.get("class") or "") + " wide-table").strip())
            return
    block.set("class", block.get("class") + " wide-table")


def _height_mm(table) -> float:
    rows = table.xpath("./thead/tr | ./tbody/tr | ./tr")
    lines = [max([1] + [-(-len(text_of(cell)) // CELL_LINE_CHARACTERS) for cell in row.xpath("./td|./th")])
             for row in rows]
    return sum(2 + 3.8 * count for count in lines) + 10   # and the caption


def _is_wide(table) -> bool:
    """Six or more columns of which two hold running text: too cramped on a portrait page."""
    rows = table.xpath("./tbody/tr")
    columns: dict[int, int] = {}
    for row in rows:
        for index, cell in enumerate(row.xpath("./td|./th")):
            columns[index] = max(columns.get(index, 0), len(text_of(cell)))
    return len(columns) >= 6 and sum(1 for width in columns.values() if width >= LONG_CELL) >= 2
