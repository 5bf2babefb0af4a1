"""No number is typed into the book's prose: every figure comes from a glue reference.

Scanned: the Markdown cells of book/templates/*.ipynb and any book/*.md, with every ``{{ key }}``
catalogue placeholder replaced by its text in each language. Allowed digits: inside a glue or
cross-reference role, inside inline code, years (1900–2099), and citations of the source
report's sections and tables ("luvussa 6", "section 2.3", "taulukko 1").
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from evalkit.i18n import LANGUAGES, has, t

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
ALLOWED = [
    re.compile(r"\{[a-z:]+\}`[^`]*`"),                     # {glue:text}`x`, {numref}`fig-x`, {doc}`x`
    re.compile(r"`[^`]*`"),                                # inline code: file names, commands
    re.compile(r"<https?://[^>]*>|https?://\S+"),          # links
    re.compile(r"\b(?:19|20)\d\d\b"),                      # years
    re.compile(r"(?i)\b(?:luku|luvu[a-zäö]*|section|sections|taulukko|taulukossa|table)\s+"
               r"\d+(?:\.\d+)*"),                           # citations of the source report
]


def typed_numbers(text: str) -> list[str]:
    """The digit-bearing words left in ``text`` once allowed uses are removed."""
    for pattern in ALLOWED:
        text = pattern.sub(" ", text)
    return re.findall(r"\S*\d\S*", text)


def expand(text: str, lang: str) -> str:
    def replace(match: re.Match) -> str:
        key = match.group(1)
        if key.startswith("ctx.") or not has(key, lang):
            return " "  # context values are data (names), not prose; a missing key is the build's error
        return expand(str(t(key, lang)), lang)

    return PLACEHOLDER.sub(replace, text)


def prose_sources() -> list[tuple[str, str]]:
    sources = []
    for template in sorted((ROOT / "book" / "templates").glob("*.ipynb")):
        notebook = nbformat.read(template, as_version=4)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "markdown":
                sources.append((f"{template.name} cell {index}", cell.source))
    for page in sorted((ROOT / "book").glob("*.md")):
        sources.append((page.name, page.read_text(encoding="utf-8")))
    return sources


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("where, source", prose_sources(), ids=lambda v: v if isinstance(v, str) and
                         len(v) < 40 else None)
def test_no_typed_numbers_in_prose(where, source, lang):
    found = typed_numbers(expand(source, lang))
    assert not found, f"{where} ({lang}): numbers typed into prose: {found}; glue them instead"


@pytest.mark.parametrize("text, typed", [
    ("Piloteille myönnettiin 9,6 milj. euroa.", ["9,6"]),
    ("Pilotteja oli 8 ja ne toimivat vuonna 2022.", ["8"]),
    ("Määrä on {glue:text}`stock_end` ({numref}`fig-stock`).", []),
    ("Raportin luvussa 6 ja taulukko 1 sekä section 2.3.", []),
    ("Komento `evalkit synth --seed 42`.", []),
    ("vähintään 25 % osallistujista", ["25"]),
])
def test_the_checker_itself(text, typed):
    assert typed_numbers(text) == typed
