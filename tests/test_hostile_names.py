"""Names a person wrote in programme.yml are published as text, never as markup (one small build).

A programme's title, publisher, pilot names and project names go into headings, captions, the
sidebar, the footer, <title>, the print title and the search index. Each place either escapes
them or is made to (evalkit.sphinxext, the chapters' literal()); a name holding HTML, Markdown,
MyST or a character Excel refuses in a sheet name is shown exactly as written.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import EVALKIT

pytestmark = pytest.mark.slow

NAME = "A <img src=x onerror=alert(1)> *em* $x$ {sub}`2` / [k]: y"
PROJECT = "P <script>alert(3)</script>"
PUBLISHER = "Pub <img src=y onerror=alert(2)> & co"
TITLE = "T <b>bold</b> &amp; _under_"
RAW = ("<img src=x", "<img src=y", "<script>alert(3)", "<b>bold</b>", "<em>em</em>", "<sub>2</sub>")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "programme"
    env = {key: value for key, value in os.environ.items() if key != "EVALKIT_ROOT"}
    subprocess.run([*EVALKIT, "new", str(folder), "--pilots", "a,b"], env=env, check=True, capture_output=True)
    text = (folder / "programme.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title:\n(  \w\w: .*\n)+", lambda m: f"title: {json.dumps(TITLE)}\n", text)
    text = re.sub(r"(?m)^publisher: .*$", lambda m: f"publisher: {json.dumps(PUBLISHER)}", text)
    text = text.replace('    name: "A"', f"    name: {json.dumps(NAME)}", 1)
    named = f"    name: {json.dumps(NAME)}\n"
    text = text.replace(named, f"{named}    project_name: {json.dumps(PROJECT)}\n", 1)
    assert NAME in text and TITLE in text and PUBLISHER in text and PROJECT in text
    (folder / "programme.yml").write_text(text, encoding="utf-8")
    done = subprocess.run([*EVALKIT, "build", "--programme", str(folder), "--no-pdf", "--jobs", "2"],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder / "_build" / "html"


def pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in site.rglob("*")
            if p.suffix in (".html", ".js") and "_sources" not in p.parts and "_static" not in p.parts}


def test_no_name_is_read_as_markup_anywhere(site):
    found = [(name, raw) for name, text in pages(site).items() for raw in RAW if raw in text]
    assert found == []


def test_each_name_is_escaped_once_where_it_is_shown(site):
    every = "\n".join(pages(site).values())
    assert "&amp;lt;" not in every and "&amp;amp;amp;" not in every   # never escaped twice
    pilot = (site / "pilots" / "a.html").read_text(encoding="utf-8")
    shown = "A &lt;img src=x onerror=alert(1)&gt; *em* $x$ {sub}`2` / [k]: y"
    assert pilot.count(shown) >= 5   # heading, sidebar, captions
    assert f"<title>{shown}" in pilot
    assert "Pub &lt;img src=y onerror=alert(2)&gt; &amp; co" in pilot   # the footer's author
    assert "T &lt;b&gt;bold&lt;/b&gt; &amp;amp; _under_" in pilot      # the site title, as written
    assert "P &lt;script&gt;alert(3)&lt;/script&gt;" in pilot


def test_the_workbook_gives_the_pilot_a_sheet_named_as_far_as_excel_allows(site):
    book = openpyxl.load_workbook(site.parent / "data" / "indicators.xlsx", read_only=True)
    assert book.sheetnames == ["all", "A <img src=x onerror=alert(1)>", "B"]


def test_evalkit_check_passes_a_programme_published_without_swedish(site):
    """The programme is published in Finnish and English: no page is asked to link to Swedish."""
    folder = site.parent.parent
    env = {key: value for key, value in os.environ.items() if key != "EVALKIT_ROOT"}
    done = subprocess.run([*EVALKIT, "check", "--programme", str(folder), "--lang", "fi", "--no-browser", "--no-pdf"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert " sv " not in done.stdout and "fi: 0 problem(s)" in done.stderr
    # Checking for publication, the English edition (built from nothing yet) is missing, and
    # Swedish, which the programme does not publish, is not asked for.
    done = subprocess.run([*EVALKIT, "check", "--programme", str(folder), "--lang", "all", "--no-browser",
                           "--no-pdf"], env=env, capture_output=True, text=True, timeout=300)
    missing = [line for line in done.stdout.splitlines() if line.startswith("editions:")]
    assert done.returncode == 1 and len(missing) == 1 and missing[0].startswith("editions: html-en/: "), done.stdout


def search_titles(site: Path) -> dict[str, list]:
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(index[len("Search.setIndex("):index.rstrip().rfind(")")])["alltitles"]


def test_the_search_index_holds_titles_as_text_after_a_rebuild_too(site):
    """Sphinx reads its last index back on an incremental build: escaped once, it stays so.

    Last in this file: it renames pilot b for the rebuild.
    """
    first = search_titles(site)
    assert not [title for title in first if "<" in title]
    assert [title for title in first if "&lt;img src=x" in title]
    folder = site.parent.parent   # another name for pilot b: pages and site are built again
    programme = folder / "programme.yml"
    programme.write_text(programme.read_text(encoding="utf-8").replace('    name: "B"', '    name: "B <i>2</i>"', 1),
                         encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "EVALKIT_ROOT"}
    done = subprocess.run([*EVALKIT, "build", "--programme", str(folder), "--no-pdf", "--jobs", "2"],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    second = search_titles(site)
    assert not [title for title in second if "<" in title or "&amp;lt;" in title or "&amp;gt;" in title]
    assert [title for title in first if "&lt;img src=x" in title] == [title for title in second
                                                                       if "&lt;img src=x" in title]
    assert [title for title in second if "B &lt;i&gt;2&lt;/i&gt;" in title]
