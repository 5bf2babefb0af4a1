"""Text people wrote (service names, goal texts) is shown literally in the report: MyST reads no
tag, emphasis, math, role, link or substitution in it. Checked by parsing the emitted Markdown
with myst-parser and the book's own MyST settings (a second route to what the build does), and
once through a real `evalkit pilot` build (slow).
"""
from __future__ import annotations

from pathlib import Path

import docutils.nodes as nodes
import pandas as pd
import pytest
import yaml
from docutils.core import publish_doctree, publish_string
from myst_parser.parsers.docutils_ import Parser

from evalkit.page_output import literal, markdown_table, start_page

ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["parse"]["myst_enable_extensions"]

# The cases, then variants of our own: other MyST syntax, entities, escapes, line breaks.
HOSTILE = [
    "<script>alert(1)</script>",
    "Ohjaus <b>ryhmässä</b>",
    "*tärkeä* ja **hyvin tärkeä**",
    "Tavoite $x^2$ saavutetaan",
    "[linkki](https://example.org)",
    "<https://example.org> ja $$y$$ ja _alaviiva_",
    "{glue:text}`budget` ja {{ ctx.project_name }} ja {sub-ref}`today`",
    "&lt;b&gt; &amp; &#60;i&#62;",
    "a | b \\| c \\ d",
    "1. ei numeroitu lista",
    "# ei otsikko",
    "`koodi` ja ~~yliviivattu~~",
    ":::{note}\nei huomautus\n:::",
    "Työhönvalmennus 😀 ✓",
]
# Node types that mean something was read as markup rather than shown as text.
MARKUP = (nodes.raw, nodes.emphasis, nodes.strong, nodes.reference, nodes.literal, nodes.math,
          nodes.math_block, nodes.title, nodes.enumerated_list, nodes.admonition, nodes.problematic,
          nodes.substitution_reference, nodes.pending)


@pytest.fixture(autouse=True)
def book_page():
    """Tables as a book page writes them: a notebook page left by another test on this worker writes
    its caption as a paragraph, not a title."""
    start_page("fi")


def doctree(source: str):
    settings = {"myst_enable_extensions": EXTENSIONS, "report_level": 5, "halt_level": 5}
    return publish_doctree(source, parser=Parser(), settings_overrides=settings)


def markup_nodes(tree) -> list[str]:
    return sorted({type(node).__name__ for node in tree.findall() if isinstance(node, MARKUP)})


def shown(text: str) -> str:
    """What a reader should see: the text, with line breaks as spaces."""
    return " ".join(text.split("\n")).strip()


def test_unescaped_the_same_texts_would_be_read_as_markup():
    # The check below can fail: given raw, MyST makes tags, emphasis, math and links of them.
    found = markup_nodes(doctree("\n\n".join(HOSTILE)))
    assert {"raw", "emphasis", "strong", "math", "reference", "literal"} <= set(found), found


def test_literal_text_in_paragraphs_and_list_items_is_shown_as_written():
    tree = doctree("\n".join(f"- {literal(text)}" for text in HOSTILE))
    assert markup_nodes(tree) == []
    assert [item.astext() for item in tree.findall(nodes.list_item)] == [shown(t) for t in HOSTILE]


def test_table_cells_are_shown_as_written_and_markup_cells_stay_markup():
    frame = pd.DataFrame({"Tavoite": HOSTILE, "Mittari": ["<5"] * (len(HOSTILE) - 1) + ["**vahva**"]})
    tree = doctree(markdown_table(frame, "Tavoitteet", name="tbl-goals", markup=("Mittari",)))
    rows = [[entry.astext() for entry in row.findall(nodes.entry)] for row in tree.findall(nodes.row)]
    assert rows[0] == ["Tavoite", "Mittari"]
    assert [row[0] for row in rows[1:]] == [shown(t) for t in HOSTILE]
    assert [row[1] for row in rows[1:]] == ["<5"] * (len(HOSTILE) - 1) + ["vahva"]
    # Only the column named as markup (evalkit's own, e.g. a download link) is read as markup;
    # the one title is the table's caption.
    assert markup_nodes(tree) == ["strong", "title"]
    assert [title.astext() for title in tree.findall(nodes.title)] == ["Tavoitteet"]


def test_html_output_escapes_the_tags():
    html = publish_string("\n".join(f"- {literal(text)}" for text in HOSTILE), parser=Parser(),
                          writer_name="html5", settings_overrides={"myst_enable_extensions": EXTENSIONS,
                                                                   "report_level": 5}).decode()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp;lt;b&amp;gt;" in html


def test_long_words_wrap_in_table_cells_and_a_fallback_font_is_named():
    css = (ROOT / "book" / "_static" / "evalkit.css").read_text(encoding="utf-8")
    assert "table.table td, table.table th { overflow-wrap: break-word; }" in css
    assert "overflow-wrap: anywhere" not in css  # it split ordinary words in narrow columns
    assert '"DejaVu Sans", "Noto Color Emoji"' in css
    assert "fonts-noto-color-emoji" in (ROOT / "scripts" / "install-system-deps.sh").read_text(encoding="utf-8")


# ---------------------------------------------------------------- through a real build

@pytest.mark.slow
def test_pilot_report_shows_params_texts_literally(project, tmp_path):
    from conftest import run_evalkit
    from evalkit.synth import write_synthetic

    write_synthetic(tmp_path / "synth", seed=5, size=300, employers=False)
    register = pd.read_csv(tmp_path / "synth" / "participants.csv", dtype=str, keep_default_na=False)
    own = tmp_path / "own.csv"
    register[register["pilot_id"] == "uusimaa"].to_csv(own, index=False)
    long_word = "Työkyvyttömyyseläkejärjestelmänuudistamissuunnittelukokonaisuusvalmisteluryhmätyöskentelyprosessi"
    params = tmp_path / "uusimaa.yml"
    params.write_text(yaml.safe_dump({
        "pilot_id": "uusimaa", "data": str(own), "as_of": "2023-12-31",
        "services": ["<script>alert(1)</script>", "Ohjaus <b>ryhmässä</b> *heti*"],
        "goals": [{"text": "Tavoite $x^2$ ja [linkki](https://example.org) 😀"},
                  {"text": long_word}]}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "report"
    done = run_evalkit(project, "pilot", "uusimaa", "--data", str(own), "--as-of", "2023-12-31",
                       "--params", str(params), "--out", str(out), "--no-pdf")
    assert done.returncode == 0, done.stderr[-3000:]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<b>ryhmässä</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Ohjaus &lt;b&gt;ryhmässä&lt;/b&gt; *heti*" in html
    assert "Tavoite $x^2$ ja [linkki](https://example.org) 😀" in html
    # The long word is whole but for invisible break opportunities (so it wraps in its cell).
    assert long_word in html.replace("\u200b", "") and long_word not in html
    assert 'href="https://example.org"' not in html


def test_a_long_word_gets_break_opportunities_and_keeps_its_letters():
    # A 95-letter compound in a goal text ran over the next column of the goals table. Expected
    # by hand: break opportunities (zero-width spaces) at most 15 letters apart, the same letters
    # in the same order, and an ordinary long Finnish word (26 letters) left whole.
    word = ("Työkykyjohtamisenkehittämisyhteistyöverkostotoimintamallikokeiluhankekokonaisuuden"
            "arviointisuun")
    assert len(word) == 95
    shown = literal(f"Tavoite {word} 🎯")
    pieces = shown.split(" ")[1].split("\u200b")
    assert "".join(pieces) == word and max(len(p) for p in pieces) <= 15 and len(pieces) == 7
    assert literal("työllistymistodennäköisyys") == "työllistymistodennäköisyys"
