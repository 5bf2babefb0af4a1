"""Texts from params reach the page exactly as written: Sphinx's smartquotes is off in the book config.

With it on, ``"lainaus"`` became ``”lainaus”``, ``--`` an en dash and ``...`` an ellipsis in
a goal text. The check builds one small page with Sphinx and MyST, with the settings
:func:`evalkit.pipeline.book.write_config` writes.
"""
from __future__ import annotations

import html
import io
from pathlib import Path

import yaml
from sphinx.application import Sphinx

from evalkit.page_output import literal
from evalkit.pipeline.book import write_config

ROOT = Path(__file__).resolve().parents[1]
TEXT = "\"Lainaus\" -- 'puolilainaus' --- ja ... <b>ei</b> `koodi`"


def test_a_literal_text_is_shown_as_written_with_the_books_settings(tmp_path):
    config = yaml.safe_load(write_config(ROOT, "fi", tmp_path / "_config.yml").read_text(encoding="utf-8"))
    sphinx_config = config["sphinx"]["config"]   # what Jupyter Book passes on to Sphinx (default: on)
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text("", encoding="utf-8")
    (source / "index.md").write_text(f"# Otsikko\n\n{literal(TEXT)}\n", encoding="utf-8")
    app = Sphinx(str(source), str(source), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html",
                 confoverrides={"extensions": "myst_parser", "smartquotes": sphinx_config.get("smartquotes", True),
                                "language": sphinx_config["language"]},
                 status=io.StringIO(), warning=io.StringIO(), freshenv=True)
    app.build()
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    body = page[page.index("<h1"):]
    shown = html.unescape(body[body.index("<p>") + 3:body.index("</p>")])
    assert shown == TEXT
